-- when: transactions
UPDATE core.transactions AS t SET
    booking_date = s.booking_date, value_date = s.value_date, operation_date = s.operation_date,
    amount = s.amount, label_raw = s.label_raw, label = s.label, merchant = s.merchant, kind = s.kind,
    category = s.category, category_source = s.category_source, pending = s.pending,
    bank_category = s.bank_category, bank_type = s.bank_type, deleted_at = s.deleted_at,
    source_updated_at = s.source_updated_at, fetched_at = s.fetched_at, raw_sha256 = s.raw_sha256
FROM stage_txn AS s
WHERE s.txn_id = t.txn_id AND s.action = 'update';
