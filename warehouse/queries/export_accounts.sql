-- Exports: the accounts to write ($account: an account_id or account_number, NULL = all), with the
-- latest bank-reported balance (marts.accounts) and the opening balance of the exported period: the
-- balance (marts.daily_balances) before the first day on or after $since (NULL = from the start).
WITH opening AS (
    SELECT account_id, date AS opening_date, (balance - day_net)::DECIMAL(18,2) AS opening_balance
    FROM marts.daily_balances
    WHERE $since IS NULL OR date >= $since
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY date) = 1
)
SELECT a.account_id, a.bank, coalesce(a.account_number, a.account_id) AS account_number, a.iban, a.name,
       a.type, coalesce(a.currency, 'EUR') AS currency,
       coalesce(a.balance, a.card_outstanding) AS balance,   -- a card: its own outstanding (not in totals)
       a.balance_date,
       o.opening_date, o.opening_balance
FROM marts.accounts a
LEFT JOIN opening o USING (account_id)
WHERE $account IS NULL OR a.account_id = $account OR a.account_number = $account
ORDER BY a.bank, account_number, a.account_id;
