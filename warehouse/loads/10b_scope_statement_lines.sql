-- when: statement_lines
-- params: line_files = statement_lines
-- The (account, amount) groups of this load's statement lines (matches and backfill change there; the
-- copies of a line in overlapping statements share its date and amount).
INSERT INTO core.refresh_amounts
SELECT DISTINCT account_id, amount FROM read_parquet($line_files, union_by_name = true);
