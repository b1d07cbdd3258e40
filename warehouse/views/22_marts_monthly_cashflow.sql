-- marts.monthly_cashflow: money in and out per account and calendar month (booked rows only).
-- One row per account for every month from its first to its last month with a row (booked or
-- pending), so a month without any movement shows zeros instead of being missing from a chart.
--   inflow       sum of booked credits                        (>= 0)
--   outflow      sum of booked debits as a positive number    (>= 0)
--   net          inflow - outflow (= sum of booked amounts)
--   transactions count of booked rows
--   pending_net  sum of the month's pending rows (not yet booked; informational, not in net)
-- A month is the calendar month of booking_date; month is its first day.
CREATE OR REPLACE VIEW marts.monthly_cashflow AS
WITH rows AS (  -- the rows of marts.transactions (one per core.int_transactions row), without the
               -- category joins it does not need (a whole-ledger aggregate: 10M rows)
    SELECT account_id, date_trunc('month', booking_date)::DATE AS month, amount, pending
    FROM core.int_transactions
),
span AS (
    SELECT account_id, min(month) AS first_month, max(month) AS last_month FROM rows GROUP BY account_id
),
months AS (
    SELECT account_id, unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM span
),
agg AS (
    SELECT account_id, month,
           sum(amount) FILTER (WHERE NOT pending AND amount > 0) AS inflow,
           -sum(amount) FILTER (WHERE NOT pending AND amount < 0) AS outflow,
           count(*) FILTER (WHERE NOT pending) AS transactions,
           sum(amount) FILTER (WHERE pending) AS pending_net
    FROM rows
    GROUP BY account_id, month
)
SELECT m.account_id,
       coalesce(a.account_number, a.account_ref) AS account_number,
       a.bank,
       m.month,
       coalesce(g.inflow, 0)::DECIMAL(18,2) AS inflow,
       coalesce(g.outflow, 0)::DECIMAL(18,2) AS outflow,
       (coalesce(g.inflow, 0) - coalesce(g.outflow, 0))::DECIMAL(18,2) AS net,
       coalesce(g.transactions, 0) AS transactions,
       coalesce(g.pending_net, 0)::DECIMAL(18,2) AS pending_net,
       a.currency
FROM months m
LEFT JOIN agg g USING (account_id, month)
LEFT JOIN core.accounts a USING (account_id);
