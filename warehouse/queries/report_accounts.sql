-- The report's accounts: one row per live account (marts.accounts).
SELECT account_id, bank, coalesce(account_number, account_id) AS account_number, name, type, currency,
       balance, balance_date
FROM marts.accounts
ORDER BY bank, account_number, account_id;
