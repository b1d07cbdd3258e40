-- when: transactions
-- params: txn_files = transactions
-- Accounts known only from transaction files (a CSV import): create a minimal account row, from the
-- staged versions (read from the lake where loads/01_stage.sql found them).
INSERT INTO core.accounts (account_id, bank, connection, account_ref, account_number, currency,
                           deleted, disabled, fetched_at, raw_sha256)
SELECT account_id, any_value(bank), any_value(connection), any_value(account_ref), any_value(account_ref),
       any_value(currency), false, false, min(fetched_at), min(raw_sha256)
FROM read_parquet($txn_files, union_by_name = true) p
SEMI JOIN stage_txn s ON s.lake_file = p.file_index AND s.lake_row = p.file_row_number
GROUP BY account_id
ON CONFLICT (account_id) DO NOTHING;
