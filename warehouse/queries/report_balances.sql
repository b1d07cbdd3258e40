-- The report's balance chart, from one read of marts.daily_balances:
--   * one row per account and day (account_id set): balance and booked rows that day (what covers the
--     day's month, drawn as the line's style, comes from report_coverage.sql: outputs/report/data.py);
--   * one row per currency and day for the total (account_id NULL): the sum over the accounts of their
--     balance that day; an account counts from its first day, and after its last day with its last
--     balance; the accounts $not_in_total are left out of it (the cards: marts.accounts.counts_in_total
--     false, their spending is settled from a current account, which already counts it; passed in by the
--     report, which has read marts.accounts already: one evaluation of that view less, issue 13).
WITH bal AS MATERIALIZED (
    SELECT b.account_id, coalesce(a.currency, 'EUR') AS currency, b.date, b.balance, b.transactions
    FROM marts.daily_balances b
    LEFT JOIN core.accounts a USING (account_id)
),
moves AS (  -- what each account adds to the total on each of its days (it keeps its last balance after)
    SELECT currency, date, transactions,
           balance - coalesce(lag(balance) OVER (PARTITION BY account_id ORDER BY date), 0) AS delta
    FROM bal
    WHERE NOT coalesce(list_contains($not_in_total::VARCHAR[], account_id), false)
),
deltas AS (
    SELECT currency, date, sum(delta) AS delta, sum(transactions) AS transactions FROM moves GROUP BY ALL
),
total AS (
    SELECT NULL::VARCHAR AS account_id, currency, date,
           (sum(delta) OVER (PARTITION BY currency ORDER BY date))::DECIMAL(18,2) AS balance,
           transactions::BIGINT AS transactions
    FROM deltas
)
SELECT b.account_id, b.currency, b.date, b.balance, b.transactions
FROM bal b
UNION ALL
SELECT * FROM total
ORDER BY account_id NULLS LAST, currency, date;
