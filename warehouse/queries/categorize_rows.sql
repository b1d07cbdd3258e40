-- Rows a categories refresh looks at (pipeline/edits.py): every live transaction with what the
-- user's rules and the model need, and the category it has from the default rules (if any).
SELECT t.txn_id, t.label_raw, t.kind, t.amount, t.merchant,
       coalesce(a.account_number, t.account_ref) AS account_number, t.account_id,
       t.category, t.category_source
FROM core.int_transactions t
LEFT JOIN core.accounts a USING (account_id);
