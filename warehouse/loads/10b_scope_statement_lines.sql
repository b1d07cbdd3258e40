-- when: statement_lines
-- params: line_files = statement_lines
-- The accounts of this load's statement lines (matches and backfill change there).
INSERT INTO core.refresh_scope
SELECT DISTINCT account_id FROM read_parquet($line_files, union_by_name = true);
