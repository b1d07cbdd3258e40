-- Exports: the booked transactions of the accounts export_accounts.sql lists (pending rows are left
-- out: they change or vanish when the bank books them), from $since on, in a stable order.
SELECT t.txn_id, t.account_id, t.booking_date, t.value_date, t.amount, coalesce(t.currency, 'EUR') AS currency,
       t.label_raw, t.label, t.merchant, t.kind, t.category
FROM marts.transactions t
JOIN marts.accounts a USING (account_id)
WHERE NOT t.pending
  AND ($since IS NULL OR t.booking_date >= $since)
  AND ($account IS NULL OR a.account_id = $account OR a.account_number = $account)
ORDER BY a.bank, coalesce(a.account_number, a.account_id), t.account_id, t.booking_date, t.txn_id;
