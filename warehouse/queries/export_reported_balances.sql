-- Exports: the balances the bank reported (marts.daily_balances: one figure per account and day, api
-- over csv over statement), from $since on, for the balance assertions of the beancount export.
SELECT b.account_id, b.date, b.reported_balance AS balance, b.reported_source AS source
FROM marts.daily_balances b
JOIN marts.accounts a USING (account_id)
WHERE b.reported_balance IS NOT NULL
  AND ($since IS NULL OR b.date >= $since)
  AND ($account IS NULL OR a.account_id = $account OR a.account_number = $account)
ORDER BY b.account_id, b.date;
