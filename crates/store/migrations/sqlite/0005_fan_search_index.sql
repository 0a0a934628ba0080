-- Member search through a full-text index instead of scanning every fan:
-- `search_grams` holds the characters and character pairs of `search_text`
-- (computed by kizuna_domain::fan::search_grams); an external-content FTS5
-- table indexes them. `detail=none`: the search only asks which fans hold
-- all of a word's terms, never where.
--
-- Triggers keep the index current on update and delete. There is no insert
-- trigger: a fan is inserted without terms and given them by an update
-- (joining does this), or — the roster import — inserted with terms and
-- indexed in one INSERT … SELECT afterwards, which is eight times faster
-- than a trigger per row for 100,000 rows. Empty terms are never indexed,
-- so "delete" only ever removes what was added.
-- Rows written before this migration get their terms when the store opens.
ALTER TABLE fans ADD COLUMN search_grams TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE fan_search USING fts5(search_grams, content='fans', content_rowid='id', detail=none);
CREATE TRIGGER fans_search_delete AFTER DELETE ON fans WHEN old.search_grams <> '' BEGIN
    INSERT INTO fan_search(fan_search, rowid, search_grams) VALUES ('delete', old.id, old.search_grams);
END;
CREATE TRIGGER fans_search_update AFTER UPDATE OF search_grams ON fans BEGIN
    INSERT INTO fan_search(fan_search, rowid, search_grams)
        SELECT 'delete', old.id, old.search_grams WHERE old.search_grams <> '';
    INSERT INTO fan_search(rowid, search_grams)
        SELECT new.id, new.search_grams WHERE new.search_grams <> '';
END;
-- The government side lists only fans who agreed to be named.
CREATE INDEX fans_named_kana ON fans(partnership_id, full_name_kana, id) WHERE named_to_government = 1;
