-- marts.daily_balances: the end-of-day balance of every account on every day from its first known day
-- to its last known day (a known day: a booked transaction or a bank-reported balance).
--
-- How the balance is computed (booked rows only; pending rows never move it):
--   S(d)     = sum of the account's booked amounts with booking_date <= d (a running sum)
--   anchor   = the LATEST balance the bank reported for the account (core.balances, any source; on one
--              day api wins over csv over statement), taken as the balance at the END of its day
--   balance(d) = anchor.balance + S(d) - S(anchor.date)
-- i.e. walking backwards from the anchor, each day's balance is the next day's minus the next day's
-- booked amounts; after the anchor (rows booked later than the bank's last figure) forwards.
-- So the last reported figure is met to the cent by construction, and every OTHER reported balance is a
-- check: difference = balance - reported_balance is 0 when the ledger between the two dates is complete
-- and right; a non-zero difference on a day says rows are missing, extra or wrong between that day and
-- the anchor (compare neighbouring differences to find where it starts).
-- An account without any reported balance is anchored on the balance of the account listing
-- (core.accounts.balance at balance_date) when there is one; otherwise it starts from 0 the day before
-- its first row (anchor_date NULL: the figures are then only relative).
-- Columns: account_id, account_number, date, balance, day_net (booked amounts of the day),
-- transactions (booked rows of the day), reported_balance and reported_source (the bank's figure that
-- day, if any), difference (balance - reported_balance), anchor_date.
CREATE OR REPLACE VIEW marts.daily_balances AS
WITH booked AS MATERIALIZED (
    SELECT account_id, booking_date AS date, sum(amount) AS day_net, count(*) AS transactions
    FROM marts.transactions
    WHERE NOT pending
    GROUP BY account_id, booking_date
),
reported AS (
    SELECT account_id, date, balance, source
    FROM core.balances
    QUALIFY row_number() OVER (PARTITION BY account_id, date
                               ORDER BY CASE source WHEN 'api' THEN 0 WHEN 'csv' THEN 1 ELSE 2 END, source) = 1
),
listed AS (  -- the account listing's balance, the fallback anchor
    SELECT account_id, balance_date AS date, balance
    FROM core.accounts
    WHERE balance IS NOT NULL AND balance_date IS NOT NULL
      AND account_id NOT IN (SELECT account_id FROM reported)
),
anchor AS (
    SELECT account_id, date AS anchor_date, balance AS anchor_balance
    FROM (SELECT account_id, date, balance FROM reported UNION ALL SELECT account_id, date, balance FROM listed)
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY date DESC) = 1
),
span AS (
    SELECT account_id, min(date) AS first_day, max(date) AS last_day
    FROM (SELECT account_id, date FROM booked
          UNION ALL SELECT account_id, date FROM reported
          UNION ALL SELECT account_id, anchor_date FROM anchor)
    GROUP BY account_id
),
days AS (
    SELECT account_id, unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS date FROM span
),
running AS (
    SELECT d.account_id, d.date,
           coalesce(b.day_net, 0) AS day_net,
           coalesce(b.transactions, 0) AS transactions,
           sum(coalesce(b.day_net, 0)) OVER (PARTITION BY d.account_id ORDER BY d.date) AS s
    FROM days d LEFT JOIN booked b USING (account_id, date)
),
offset_ AS (  -- balance(d) = s(d) + opening, opening = anchor_balance - s(anchor_date)
    SELECT a.account_id, a.anchor_date, a.anchor_balance - r.s AS opening
    FROM anchor a JOIN running r ON r.account_id = a.account_id AND r.date = a.anchor_date
)
SELECT r.account_id,
       coalesce(acc.account_number, acc.account_ref) AS account_number,
       r.date,
       (r.s + coalesce(o.opening, 0))::DECIMAL(18,2) AS balance,
       r.day_net::DECIMAL(18,2) AS day_net,
       r.transactions,
       rep.balance AS reported_balance,
       rep.source AS reported_source,
       (r.s + coalesce(o.opening, 0) - rep.balance)::DECIMAL(18,2) AS difference,
       o.anchor_date
FROM running r
LEFT JOIN offset_ o USING (account_id)
LEFT JOIN reported rep ON rep.account_id = r.account_id AND rep.date = r.date
LEFT JOIN core.accounts acc ON acc.account_id = r.account_id;
