-- The report's top merchants over months [$first_month, $last_month] (marts.spend_by_merchant): the
-- $top merchants with the most spent; category = the one of the month where most was spent there.
SELECT merchant, arg_max(category, amount) AS category, sum(amount)::DECIMAL(18,2) AS amount,
       sum(transactions)::BIGINT AS transactions
FROM marts.spend_by_merchant
WHERE month BETWEEN $first_month AND $last_month AND merchant IS NOT NULL
GROUP BY merchant
ORDER BY amount DESC, merchant
LIMIT $top;
