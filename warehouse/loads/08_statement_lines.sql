-- when: statement_lines
-- params: line_files = statement_lines
INSERT INTO core.statement_lines
    (statement_id, row_number, txn_id, account_id, bank, connection, account_ref, booking_date, value_date,
     operation_date, amount, currency, label_raw, label, merchant, kind, category, category_source,
     fetched_at, raw_sha256, page, line)
SELECT statement_id, row_number, txn_id, account_id, bank, connection, account_ref, booking_date, value_date,
       operation_date, amount, currency, label_raw, label, merchant, kind, category, category_source,
       fetched_at, raw_sha256, page, line
FROM read_parquet($line_files, union_by_name = true)
ON CONFLICT DO NOTHING;
