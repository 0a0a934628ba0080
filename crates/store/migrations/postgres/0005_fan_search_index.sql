-- Member search through an index instead of scanning every fan:
-- `search_grams` holds the characters and character pairs of `search_text`
-- (computed by kizuna_domain::fan::search_grams), indexed as an array with
-- GIN so a search narrows to the fans holding all of a word's terms.
-- Rows written before this migration get their grams when the store opens.
ALTER TABLE fans ADD COLUMN search_grams TEXT NOT NULL DEFAULT '';
CREATE INDEX fans_search_grams ON fans USING GIN (string_to_array(search_grams, ' '));
-- The government side lists only fans who agreed to be named.
CREATE INDEX fans_named_kana ON fans(partnership_id, full_name_kana, id) WHERE named_to_government = 1;
