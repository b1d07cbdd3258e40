-- when: transactions
-- params: txn_files = transactions
-- The staged versions to insert, read from the lake where loads/01_stage.sql found them (one read of the
-- wide columns).
INSERT INTO core.transactions
SELECT txn_id, account_id, bank, connection, account_ref, source_key, occurrence, source, booking_date,
       value_date, operation_date, amount, currency, label_raw, label, merchant, kind, category,
       category_source, pending, bank_txn_id, bank_category, bank_type, deleted_at, source_updated_at,
       fetched_at, raw_sha256
FROM read_parquet($txn_files, union_by_name = true) p
SEMI JOIN (SELECT lake_file, lake_row FROM stage_txn WHERE action = 'insert') s
       ON s.lake_file = p.file_index AND s.lake_row = p.file_row_number;
