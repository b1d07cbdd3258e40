-- marts.spend_by_merchant: spending per calendar month and merchant, all accounts together
-- (rows and rules: marts.spending; merchant = the merchant, else the cleaned label).
--   category      the merchant's most frequent category that month (ties: alphabetical first)
--   amount        debits - refunds (positive = money spent); debits, refunds: positive
--   transactions  number of rows (debits and refunds)
CREATE OR REPLACE VIEW marts.spend_by_merchant AS
WITH per_category AS MATERIALIZED (
    SELECT month, merchant, category, count(*) AS n,
           sum(amount) AS amount,
           sum(amount) FILTER (WHERE NOT is_refund) AS debits,
           -sum(amount) FILTER (WHERE is_refund) AS refunds
    FROM marts.spending
    GROUP BY ALL
),
main_category AS (
    SELECT month, merchant, category
    FROM per_category
    QUALIFY row_number() OVER (PARTITION BY month, merchant ORDER BY n DESC, category) = 1
)
SELECT p.month,
       p.merchant,
       any_value(c.category) AS category,
       sum(p.amount)::DECIMAL(18,2) AS amount,
       coalesce(sum(p.debits), 0)::DECIMAL(18,2) AS debits,
       coalesce(sum(p.refunds), 0)::DECIMAL(18,2) AS refunds,
       sum(p.n)::BIGINT AS transactions
FROM per_category p
LEFT JOIN main_category c ON c.month = p.month AND c.merchant IS NOT DISTINCT FROM p.merchant
GROUP BY p.month, p.merchant;
