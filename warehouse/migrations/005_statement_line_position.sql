-- 005: where a statement prints each of its rows (1-based page, 1-based line on that page), so
-- `bankflow links` shows where a backfilled row came from (raw file, page, line). NULL for lines
-- loaded before (a `bankflow rebuild` fills them from the raw files).
ALTER TABLE core.statement_lines ADD COLUMN page INTEGER;
ALTER TABLE core.statement_lines ADD COLUMN line INTEGER;
