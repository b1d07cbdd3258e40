-- when: statements
-- params: statement_files = statements
INSERT INTO core.statements
SELECT statement_id, account_id, bank, account_ref, period_start, period_end, opening_balance,
       closing_balance, total_debits, total_credits, line_count, raw_sha256
FROM read_parquet($statement_files, union_by_name = true)
ON CONFLICT DO NOTHING;
