-- marts.coverage: which days of each account and calendar month some source covered completely.
--   days_covered_api        days inside the window of some API or CSV payload (core.int_coverage:
--                           the period a payload listed completely)
--   days_covered_statement  days inside the period of some loaded statement (core.statements)
--   gap_days                days covered by neither, counted only between the account's first and
--                           last covered day (before and after, nobody claims anything)
--   first_covered / last_covered  the first and last day of that month covered by either source
--                           (NULL when none)
-- One row per account and month, from the month of its first covered day to the month of its last.
-- An account that no payload window and no statement covers has no row (e.g. an API that lists
-- transactions without saying which period is complete). The gaps themselves: marts.coverage_gaps.
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
)
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
GROUP BY f.account_id, acc.account_number, acc.account_ref, date_trunc('month', f.day);
