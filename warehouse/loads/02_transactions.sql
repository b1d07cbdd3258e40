-- Upsert transactions. A row is rewritten only when a newer server version arrives (Budgea
-- last_update), or, for sources without one, when a later fetch shows different values.
INSERT INTO core.transactions
SELECT txn_id, account_id, bank, connection, account_ref, source_key, occurrence, source, booking_date,
       value_date, operation_date, amount, currency, label_raw, label, merchant, kind, category,
       category_source, pending, bank_txn_id, bank_category, bank_type, deleted_at, source_updated_at,
       fetched_at, raw_sha256
FROM stage_txn
ON CONFLICT (txn_id) DO UPDATE SET
    booking_date = excluded.booking_date, value_date = excluded.value_date,
    operation_date = excluded.operation_date, amount = excluded.amount, label_raw = excluded.label_raw,
    label = excluded.label, merchant = excluded.merchant, kind = excluded.kind,
    category = excluded.category, category_source = excluded.category_source,
    pending = excluded.pending, bank_category = excluded.bank_category, bank_type = excluded.bank_type,
    deleted_at = excluded.deleted_at, source_updated_at = excluded.source_updated_at,
    fetched_at = excluded.fetched_at, raw_sha256 = excluded.raw_sha256
WHERE (excluded.source_updated_at > transactions.source_updated_at)
   OR (excluded.source_updated_at IS NOT NULL AND transactions.source_updated_at IS NULL)
   OR (excluded.source_updated_at IS NULL AND transactions.source_updated_at IS NULL
       AND excluded.fetched_at > transactions.fetched_at
       AND (excluded.booking_date, excluded.value_date, excluded.operation_date, excluded.amount,
            excluded.label_raw, excluded.pending, excluded.deleted_at)
           IS DISTINCT FROM
           (transactions.booking_date, transactions.value_date, transactions.operation_date,
            transactions.amount, transactions.label_raw, transactions.pending, transactions.deleted_at));
