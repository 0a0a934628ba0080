-- One lower-cased, NFKC-normalised text per fan (names, reading, nickname,
-- department, affiliation, skills, tags) so member search is one LIKE on one
-- column instead of seven plus two subqueries; and an index for the default
-- order so the first page of an unfiltered list needs no full sort.
ALTER TABLE fans ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX fans_partnership_kana ON fans(partnership_id, full_name_kana, id);
UPDATE fans SET search_text = LOWER(full_name || ' ' || full_name_kana || ' ' || display_name || ' ' || COALESCE(department, ''));
