-- The report's total balance per currency and day: on each day of marts.daily_balances, the sum over
-- the accounts of their balance that day; an account counts from its first day, and after its last
-- day with its last balance.
WITH bal AS (
    SELECT b.account_id, b.date, b.balance, coalesce(a.currency, 'EUR') AS currency
    FROM marts.daily_balances b
    LEFT JOIN core.accounts a USING (account_id)
),
span AS (
    SELECT account_id, currency, min(date) AS first_day, max(date) AS last_day FROM bal GROUP BY ALL
),
days AS (
    SELECT DISTINCT currency, date FROM bal
)
SELECT d.currency, d.date, sum(b.balance)::DECIMAL(18,2) AS balance
FROM days d
JOIN span s ON s.currency = d.currency AND d.date >= s.first_day
JOIN bal b ON b.account_id = s.account_id AND b.date = least(d.date, s.last_day)
GROUP BY d.currency, d.date
ORDER BY d.currency, d.date;
