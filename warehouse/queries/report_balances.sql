-- The report's balance chart: marts.daily_balances, each day tagged with what covers its month
-- (marts.coverage): 'api' when an API or CSV payload covers some day of it, else 'statement' when a
-- statement does, else 'none' (neither: a month before any coverage, or an account without coverage).
SELECT b.account_id, b.date, b.balance, b.reported_balance, b.reported_source,
       CASE WHEN c.days_covered_api > 0 THEN 'api'
            WHEN c.days_covered_statement > 0 THEN 'statement'
            ELSE 'none' END AS period_source
FROM marts.daily_balances b
LEFT JOIN marts.coverage c ON c.account_id = b.account_id AND c.month = date_trunc('month', b.date)::DATE
ORDER BY b.account_id, b.date;
