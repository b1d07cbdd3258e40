-- The analyst surface (docs/design.md §5). Stable column names; core tables may change.
-- category/category_source: override > rule (the user's rules.toml, then the default taxonomy) > model
-- > bank (the bank's own category as a hint) > none. See pipeline/edits.py.
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
       CASE WHEN o.txn_id IS NOT NULL THEN o.category
            WHEN r.txn_id IS NOT NULL THEN r.category
            WHEN t.category_source = 'rule' THEN t.category
            WHEN m.txn_id IS NOT NULL THEN m.category
            ELSE t.category END AS category,
       CASE WHEN o.txn_id IS NOT NULL THEN 'override'
            WHEN r.txn_id IS NOT NULL OR t.category_source = 'rule' THEN 'rule'
            WHEN m.txn_id IS NOT NULL THEN 'model'
            ELSE coalesce(t.category_source, 'none') END AS category_source,
       t.pending,
       t.sources,
       t.first_seen_at,
       t.last_seen_at
FROM core.int_transactions t
LEFT JOIN core.accounts a USING (account_id)
LEFT JOIN core.category_overrides o USING (txn_id)
LEFT JOIN core.rule_categories r USING (txn_id)
LEFT JOIN core.model_categories m USING (txn_id);
