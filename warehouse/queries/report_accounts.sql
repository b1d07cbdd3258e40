-- The report's accounts: one row per live account (marts.accounts), with its ledger span.
SELECT a.account_id, a.bank, coalesce(a.account_number, a.account_id) AS account_number, a.name, a.type,
       a.currency, a.balance, a.balance_date,
       (SELECT min(t.booking_date) FROM marts.transactions t WHERE t.account_id = a.account_id) AS first_date,
       (SELECT max(t.booking_date) FROM marts.transactions t WHERE t.account_id = a.account_id) AS last_date
FROM marts.accounts a
ORDER BY a.bank, a.account_number, a.account_id;
