-- severity: error
-- Bank-reported balances that the warehouse cannot reproduce: between two consecutive balances of one
-- account from one source, the change must equal the sum of the booked transactions in between (by
-- value date for CSV balances, which Boursorama reports per value date; by booking date otherwise).
WITH b AS (
    SELECT account_id, source, date, balance,
           lag(date) OVER w AS prev_date, lag(balance) OVER w AS prev_balance
    FROM core.balances
    WINDOW w AS (PARTITION BY account_id, source ORDER BY date)
),
pairs AS (SELECT * FROM b WHERE prev_date IS NOT NULL)
SELECT a.account_number, p.source, p.prev_date, p.date, p.prev_balance, p.balance,
       p.balance - p.prev_balance AS reported_change,
       coalesce(sum(t.amount), 0) AS warehouse_change
FROM pairs p
JOIN core.accounts a USING (account_id)
LEFT JOIN core.int_transactions t
       ON t.account_id = p.account_id AND NOT t.pending
      AND (CASE WHEN p.source = 'csv' THEN coalesce(t.value_date, t.booking_date) ELSE t.booking_date END)
          > p.prev_date
      AND (CASE WHEN p.source = 'csv' THEN coalesce(t.value_date, t.booking_date) ELSE t.booking_date END)
          <= p.date
GROUP BY ALL
HAVING p.balance - p.prev_balance <> coalesce(sum(t.amount), 0);
