-- The analyst surface (DESIGN §5). Stable column names; core tables may change.
CREATE OR REPLACE VIEW marts.transactions AS
SELECT t.txn_id,
       t.account_id,
       t.bank,
       coalesce(a.account_number, t.account_ref) AS account_number,
       a.name AS account_name,
       t.booking_date,
       t.value_date,
       t.operation_date,
       t.amount,
       t.currency,
       t.label_raw,
       t.label,
       t.merchant,
       t.kind,
       t.category,
       t.category_source,
       t.pending,
       t.sources,
       t.first_seen_at,
       t.last_seen_at
FROM core.int_transactions t
LEFT JOIN core.accounts a USING (account_id);
