-- The report's spending by category (marts.spend_by_category), for the month $last_month and for the
-- months [$first_month, $last_month], in one read.
SELECT category,
       coalesce(sum(amount) FILTER (WHERE month = $last_month), 0)::DECIMAL(18,2) AS month_amount,
       coalesce(sum(transactions) FILTER (WHERE month = $last_month), 0)::BIGINT AS month_transactions,
       sum(amount)::DECIMAL(18,2) AS year_amount,
       sum(transactions)::BIGINT AS year_transactions
FROM marts.spend_by_category
WHERE month BETWEEN $first_month AND $last_month
GROUP BY category
ORDER BY category;
