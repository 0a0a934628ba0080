-- A counter per fan, raised in the same transaction as every change to the
-- fan's ledger. Caches of what is derived from the whole ledger (points,
-- badges, the map) are keyed by it, so a process never shows a summary
-- older than the ledger it read, whichever process wrote.
ALTER TABLE fans ADD COLUMN ledger_rev BIGINT NOT NULL DEFAULT 0;
