-- when: transactions
INSERT INTO core.transactions
SELECT txn_id, account_id, bank, connection, account_ref, source_key, occurrence, source, booking_date,
       value_date, operation_date, amount, currency, label_raw, label, merchant, kind, category,
       category_source, pending, bank_txn_id, bank_category, bank_type, deleted_at, source_updated_at,
       fetched_at, raw_sha256
FROM stage_txn
WHERE action = 'insert';
