-- The report's coverage map: marts.coverage, one row per account and month.
SELECT account_id, account_number, month, days_in_month, days_covered_api, days_covered_statement, gap_days
FROM marts.coverage
ORDER BY account_id, month;
