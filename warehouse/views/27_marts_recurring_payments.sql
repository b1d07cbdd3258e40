-- marts.recurring_payments: series of booked debits to the same payee at regular intervals
-- (subscriptions, rent, phone, insurance, loan instalments ...). One row per account and payee.
--
-- Heuristic:
--   1. payee = the merchant, else the label upper-cased without accents, digits and extra spaces (so
--      'CHQ 7985309' and 'PRLV SEPA X REF 123' group by their words). Booked debits only.
--   2. amount band: among the payee's debits, the amount whose +-10% band holds the most debits (ties:
--      the larger amount) is the series' centre; the series = the payee's debits within +-10% of it.
--      Other debits to that payee (one-off purchases at the same shop) are ignored.
--      Bills whose amount changes every time (energy, water: the payee's debits are mostly direct
--      debits) are also tried with ALL their debits, whatever the amount; a payee found both ways is
--      reported once, as the fixed-amount series. amount_varies tells the two apart.
--   3. gaps = days between consecutive debits of the series; the median gap gives the cadence:
--         weekly     6-8 days     >= 4 occurrences
--         biweekly   13-16 days   >= 4
--         monthly    27-33 days   >= 3   (28-31 widened by weekend/holiday shifts of the debit day)
--         quarterly  85-97 days   >= 3
--         yearly     350-380 days >= 2
--      and at least 75% of the gaps must fall inside that band (a regular series; one missed or
--      shifted month among many is tolerated, a shop visited at random intervals is not).
-- Columns: merchant (the payee), account_id, account_number, kind (most frequent kind of the series),
-- category (most frequent), typical_amount (median paid, POSITIVE), min_amount / max_amount (positive),
-- amount_varies (some occurrence is more than 10% away from typical_amount),
-- cadence, occurrences, first_date, last_date, median_gap_days,
-- next_expected_date (last_date + 1 week / 2 weeks / 1 month / 3 months / 1 year),
-- active (the next expected date is not more than one period + 7 days before the account's latest
-- booked row: the series still runs).
CREATE OR REPLACE VIEW marts.recurring_payments AS
WITH booked AS MATERIALIZED (
    SELECT txn_id, account_id, account_number, booking_date, amount, kind, category, merchant, label, label_raw
    FROM marts.transactions
    WHERE NOT pending
),
d AS MATERIALIZED (
    SELECT txn_id, account_id, account_number, booking_date, -amount AS paid, kind, category,
           coalesce(merchant,
                    nullif(trim(regexp_replace(regexp_replace(upper(strip_accents(coalesce(label, label_raw))),
                                                              '[0-9]+', ' ', 'g'), '\s+', ' ', 'g')), ''),
                    label_raw) AS payee
    FROM booked
    WHERE amount < 0
),
band AS (
    SELECT a.account_id, a.payee, a.txn_id, a.paid AS centre, count(*) AS n
    FROM d a JOIN d b ON b.account_id = a.account_id AND b.payee = a.payee
                     AND b.paid BETWEEN a.paid * 0.9 AND a.paid * 1.1
    GROUP BY a.account_id, a.payee, a.txn_id, a.paid
),
centre AS (
    SELECT account_id, payee, centre
    FROM band
    QUALIFY row_number() OVER (PARTITION BY account_id, payee ORDER BY n DESC, centre DESC, txn_id) = 1
),
series AS (
    -- fixed amount: the payee's debits inside the band
    SELECT d.*, 'band' AS mode
    FROM d JOIN centre c ON c.account_id = d.account_id AND c.payee = d.payee
    WHERE d.paid BETWEEN c.centre * 0.9 AND c.centre * 1.1
    UNION ALL
    -- variable amount: every debit of a payee paid by direct debit (bills: energy, water, ...)
    SELECT d.*, 'all' AS mode
    FROM d
    WHERE (d.account_id, d.payee) IN (SELECT account_id, payee FROM d GROUP BY ALL HAVING mode(kind) = 'direct_debit')
),
gapped AS (
    SELECT *, date_diff('day', lag(booking_date) OVER (PARTITION BY account_id, payee, mode
                                                       ORDER BY booking_date, txn_id), booking_date) AS gap
    FROM series
),
stats AS (
    SELECT account_id, payee, mode,
           any_value(account_number) AS account_number,
           mode(kind) AS kind,
           mode(category) AS category,
           quantile_disc(paid, 0.5) AS typical_amount,
           min(paid) AS min_amount,
           max(paid) AS max_amount,
           count(*) AS occurrences,
           min(booking_date) AS first_date,
           max(booking_date) AS last_date,
           median(gap) AS median_gap,
           list(gap) FILTER (WHERE gap IS NOT NULL) AS gaps
    FROM gapped
    GROUP BY account_id, payee, mode
),
cadences AS (
    SELECT * FROM (VALUES ('weekly', 6, 8, 4, INTERVAL 7 DAY),
                          ('biweekly', 13, 16, 4, INTERVAL 14 DAY),
                          ('monthly', 27, 33, 3, INTERVAL 1 MONTH),
                          ('quarterly', 85, 97, 3, INTERVAL 3 MONTH),
                          ('yearly', 350, 380, 2, INTERVAL 1 YEAR))
           AS c(cadence, lo, hi, min_occurrences, period)
),
detected AS (
    SELECT s.*, c.cadence, c.period
    FROM stats s
    JOIN cadences c ON s.median_gap BETWEEN c.lo AND c.hi AND s.occurrences >= c.min_occurrences
    WHERE len(list_filter(s.gaps, lambda g: g BETWEEN c.lo AND c.hi)) >= 0.75 * len(s.gaps)
    -- a payee found both ways is reported once, as the fixed-amount series
    QUALIFY row_number() OVER (PARTITION BY s.account_id, s.payee ORDER BY s.mode = 'band' DESC) = 1
),
latest AS (
    SELECT account_id, max(booking_date) AS latest FROM booked GROUP BY account_id
)
SELECT x.payee AS merchant,
       x.account_id,
       x.account_number,
       x.kind,
       x.category,
       x.typical_amount::DECIMAL(18,2) AS typical_amount,
       x.min_amount::DECIMAL(18,2) AS min_amount,
       x.max_amount::DECIMAL(18,2) AS max_amount,
       x.max_amount > x.typical_amount * 1.1 OR x.min_amount < x.typical_amount * 0.9 AS amount_varies,
       x.cadence,
       x.occurrences,
       x.first_date,
       x.last_date,
       x.median_gap AS median_gap_days,
       (x.last_date + x.period)::DATE AS next_expected_date,
       (x.last_date + x.period)::DATE + INTERVAL 7 DAY + x.period >= l.latest AS active
FROM detected x
LEFT JOIN latest l USING (account_id);
