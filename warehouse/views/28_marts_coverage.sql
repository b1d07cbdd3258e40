-- marts.coverage: which days of each account and calendar month some source covered completely.
--   days_covered_api        days inside the window of some API or CSV payload (core.int_coverage:
--                           the period a payload listed completely)
--   days_covered_statement  days inside the period of some loaded statement (core.statements)
--   gap_days                days covered by neither, counted only between the account's first and
--                           last covered day (before and after, nobody claims anything)
--   first_covered / last_covered  the first and last day of that month covered by either source
--                           (NULL when none)
-- One row per account and month, from the month of its first covered day to the month of its last.
-- Every account has rows: one that no payload window and no statement covers (an API that lists
-- transactions without saying which period is complete, as Budgea's) gets one row per month of its
-- booked transactions with nothing covered, every day between its first and last transaction counted
-- in gap_days (nobody said those days are complete), first/last_covered NULL; with no transaction
-- either, a single row with month NULL and zeros. So an account missing from marts.coverage_gaps is
-- one whose span is covered, never one nobody looked at. The gaps themselves: marts.coverage_gaps.
CREATE OR REPLACE VIEW marts.coverage AS
WITH api_days AS (
    SELECT DISTINCT account_id, unnest(generate_series(window_start, window_end, INTERVAL 1 DAY))::DATE AS day
    FROM core.int_coverage
    WHERE window_end >= window_start
),
statement_days AS (
    SELECT DISTINCT account_id, unnest(generate_series(period_start, period_end, INTERVAL 1 DAY))::DATE AS day
    FROM core.statements
    WHERE period_end >= period_start
),
span AS (
    SELECT account_id, min(day) AS first_day, max(day) AS last_day
    FROM (SELECT * FROM api_days UNION ALL SELECT * FROM statement_days)
    GROUP BY account_id
),
days AS (  -- every day of every month the span touches
    SELECT account_id, first_day, last_day,
           unnest(generate_series(date_trunc('month', first_day)::DATE, last_day(last_day),
                                  INTERVAL 1 DAY))::DATE AS day
    FROM span
),
flags AS (
    SELECT d.account_id, d.day, d.day BETWEEN d.first_day AND d.last_day AS in_span,
           a.day IS NOT NULL AS api, s.day IS NOT NULL AS statement
    FROM days d
    LEFT JOIN api_days a ON a.account_id = d.account_id AND a.day = d.day
    LEFT JOIN statement_days s ON s.account_id = d.account_id AND s.day = d.day
),
covered AS (
SELECT f.account_id,
       coalesce(acc.account_number, acc.account_ref) AS account_number,
       date_trunc('month', f.day)::DATE AS month,
       count(*) AS days_in_month,
       count(*) FILTER (WHERE f.api) AS days_covered_api,
       count(*) FILTER (WHERE f.statement) AS days_covered_statement,
       count(*) FILTER (WHERE f.in_span AND NOT f.api AND NOT f.statement) AS gap_days,
       min(f.day) FILTER (WHERE f.api OR f.statement) AS first_covered,
       max(f.day) FILTER (WHERE f.api OR f.statement) AS last_covered
FROM flags f
LEFT JOIN core.accounts acc ON acc.account_id = f.account_id
GROUP BY f.account_id, acc.account_number, acc.account_ref, date_trunc('month', f.day)
),
uncovered AS (  -- accounts no source covers: their booked transactions' span (NULLs: none)
    SELECT a.account_id, coalesce(a.account_number, a.account_ref) AS account_number,
           min(t.booking_date) AS first_day, max(t.booking_date) AS last_day
    FROM core.accounts a
    LEFT JOIN core.int_transactions t ON t.account_id = a.account_id AND NOT t.pending
    WHERE NOT coalesce(a.deleted, false) AND a.account_id NOT IN (SELECT account_id FROM span)
    GROUP BY a.account_id, a.account_number, a.account_ref
),
uncovered_days AS (
    SELECT account_id, account_number, first_day, last_day,
           unnest(generate_series(date_trunc('month', first_day)::DATE, last_day(last_day),
                                  INTERVAL 1 DAY))::DATE AS day
    FROM uncovered
    WHERE first_day IS NOT NULL
)
SELECT * FROM covered
UNION ALL
SELECT account_id, account_number, date_trunc('month', day)::DATE AS month, count(*) AS days_in_month,
       0 AS days_covered_api, 0 AS days_covered_statement,
       count(*) FILTER (WHERE day BETWEEN first_day AND last_day) AS gap_days,
       NULL::DATE AS first_covered, NULL::DATE AS last_covered
FROM uncovered_days
GROUP BY account_id, account_number, date_trunc('month', day)
UNION ALL
SELECT account_id, account_number, NULL::DATE, 0, 0, 0, 0, NULL::DATE, NULL::DATE
FROM uncovered
WHERE first_day IS NULL;
