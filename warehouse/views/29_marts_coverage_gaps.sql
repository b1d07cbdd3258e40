-- marts.coverage_gaps: each run of consecutive days, between an account's first and last covered day,
-- that neither an API/CSV payload window nor a statement period covers (same sources as
-- marts.coverage). Transactions of those days may be missing without anything noticing: fetch that
-- period again, or import the statement.
-- An account that no source ever covered (an API listing transactions without saying which period is
-- complete, as Budgea's) has one gap from its first to its last booked transaction, reason
-- 'never covered': nothing says its history is complete. An account with no row here is covered.
--   account_id, account_number, gap_start, gap_end (both included), days,
--   reason ('between covered periods' | 'never covered')
CREATE OR REPLACE VIEW marts.coverage_gaps AS
WITH covered AS (
    SELECT DISTINCT account_id, unnest(generate_series(window_start, window_end, INTERVAL 1 DAY))::DATE AS day
    FROM core.int_coverage
    WHERE window_end >= window_start
    UNION
    SELECT DISTINCT account_id, unnest(generate_series(period_start, period_end, INTERVAL 1 DAY))::DATE AS day
    FROM core.statements
    WHERE period_end >= period_start
),
runs AS (  -- consecutive covered days share day - row_number
    SELECT account_id, min(day) AS run_start, max(day) AS run_end
    FROM (SELECT account_id, day,
                 day - CAST(row_number() OVER (PARTITION BY account_id ORDER BY day) AS INTEGER) AS grp
          FROM covered)
    GROUP BY account_id, grp
),
gaps AS (  -- between one covered run and the next
    SELECT account_id, run_end + 1 AS gap_start,
           lead(run_start) OVER (PARTITION BY account_id ORDER BY run_start) - 1 AS gap_end
    FROM runs
)
SELECT g.account_id,
       coalesce(acc.account_number, acc.account_ref) AS account_number,
       g.gap_start,
       g.gap_end,
       date_diff('day', g.gap_start, g.gap_end) + 1 AS days,
       'between covered periods' AS reason
FROM gaps g
LEFT JOIN core.accounts acc ON acc.account_id = g.account_id
WHERE g.gap_end IS NOT NULL
UNION ALL
SELECT a.account_id,
       coalesce(a.account_number, a.account_ref),
       min(t.booking_date),
       max(t.booking_date),
       date_diff('day', min(t.booking_date), max(t.booking_date)) + 1,
       'never covered'
FROM core.accounts a
JOIN core.int_transactions t ON t.account_id = a.account_id AND NOT t.pending
WHERE NOT coalesce(a.deleted, false) AND a.account_id NOT IN (SELECT account_id FROM covered)
GROUP BY a.account_id, a.account_number, a.account_ref;
