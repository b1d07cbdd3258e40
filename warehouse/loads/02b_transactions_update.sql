-- when: transactions
-- params: txn_files = transactions
-- if: stage_has_updates.sql
-- The staged versions that replace a row, read from the lake where loads/01_stage.sql found them.
UPDATE core.transactions AS t SET
    booking_date = s.booking_date, value_date = s.value_date, operation_date = s.operation_date,
    amount = s.amount, label_raw = s.label_raw, label = s.label, merchant = s.merchant, kind = s.kind,
    category = s.category, category_source = s.category_source, pending = s.pending,
    bank_category = s.bank_category, bank_type = s.bank_type, deleted_at = s.deleted_at,
    source_updated_at = s.source_updated_at, fetched_at = s.fetched_at, raw_sha256 = s.raw_sha256
FROM (SELECT p.*
      FROM read_parquet($txn_files, union_by_name = true) p
      SEMI JOIN (SELECT lake_file, lake_row FROM stage_txn WHERE action = 'update') u
             ON u.lake_file = p.file_index AND u.lake_row = p.file_row_number) AS s
WHERE s.txn_id = t.txn_id;
