-- The report's balance chart, from one read of marts.daily_balances:
--   * one row per account and day (account_id set): balance, booked rows that day, and what covers the
--     day's month (marts.coverage): 'api' when an API or CSV payload covers some day of it, else
--     'statement' when a statement does, else 'none';
--   * one row per currency and day for the total (account_id NULL): the sum over the accounts of their
--     balance that day; an account counts from its first day, and after its last day with its last
--     balance; card accounts are left out of it (marts.accounts.counts_in_total: their spending is
--     settled from a current account, which already counts it).
WITH bal AS MATERIALIZED (
    SELECT b.account_id, coalesce(a.currency, 'EUR') AS currency, b.date, b.balance, b.transactions,
           coalesce(m.counts_in_total, true) AS counts_in_total
    FROM marts.daily_balances b
    LEFT JOIN core.accounts a USING (account_id)
    LEFT JOIN marts.accounts m USING (account_id)
),
moves AS (  -- what each account adds to the total on each of its days (it keeps its last balance after)
    SELECT currency, date, transactions,
           balance - coalesce(lag(balance) OVER (PARTITION BY account_id ORDER BY date), 0) AS delta
    FROM bal
    WHERE counts_in_total
),
deltas AS (
    SELECT currency, date, sum(delta) AS delta, sum(transactions) AS transactions FROM moves GROUP BY ALL
),
total AS (
    SELECT NULL::VARCHAR AS account_id, currency, date,
           (sum(delta) OVER (PARTITION BY currency ORDER BY date))::DECIMAL(18,2) AS balance,
           transactions::BIGINT AS transactions, NULL::VARCHAR AS period_source
    FROM deltas
)
SELECT b.account_id, b.currency, b.date, b.balance, b.transactions,
       CASE WHEN c.days_covered_api > 0 THEN 'api'
            WHEN c.days_covered_statement > 0 THEN 'statement'
            ELSE 'none' END AS period_source
FROM bal b
LEFT JOIN marts.coverage c ON c.account_id = b.account_id AND c.month = date_trunc('month', b.date)::DATE
UNION ALL
SELECT * FROM total
ORDER BY account_id NULLS LAST, currency, date;
