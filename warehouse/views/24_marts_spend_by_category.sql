-- marts.spend_by_category: spending per calendar month and category, all accounts together
-- (rows and rules: marts.spending).
--   amount        debits - refunds (positive = money spent)
--   debits        sum of the debits, positive
--   refunds       sum of the refunds, positive
--   transactions  number of rows (debits and refunds)
CREATE OR REPLACE VIEW marts.spend_by_category AS
SELECT month,
       category,
       sum(amount)::DECIMAL(18,2) AS amount,
       coalesce(sum(amount) FILTER (WHERE NOT is_refund), 0)::DECIMAL(18,2) AS debits,
       coalesce(-sum(amount) FILTER (WHERE is_refund), 0)::DECIMAL(18,2) AS refunds,
       count(*) AS transactions
FROM marts.spending
GROUP BY month, category;
