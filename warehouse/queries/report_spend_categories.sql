-- The report's spending by category over months [$first_month, $last_month] (marts.spend_by_category).
SELECT category, sum(amount)::DECIMAL(18,2) AS amount, sum(transactions)::BIGINT AS transactions
FROM marts.spend_by_category
WHERE month BETWEEN $first_month AND $last_month
GROUP BY category
HAVING sum(amount) <> 0
ORDER BY amount DESC, category;
