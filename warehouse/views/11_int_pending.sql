-- Pending rows and what became of them (docs/design.md §6, rules 3-4).
-- A pending row is superseded by the booked row that matches it: same account, same amount, booked
-- from 1 day before to 10 days after the pending date, first seen no earlier than the pending row, and
-- never seen in the same payload as it (two rows shown side by side are two transactions). Among candidates the best score
-- wins, one to one (each side's best choice must be the other): score = label similarity (Jaro-Winkler
-- on normalized labels; pending labels are often generic) minus 0.02 per day apart. The user's
-- links.csv can forbid ('unlink') or force ('link') a pair. Identical rows are numbered within their group
-- and the k-th preferred for the k-th (see 12_int_statement_matches.sql), so all of them pair up.
-- A pending row that is not superseded expires when a later payload covering its day no longer shows it.
-- Only candidate pairs are ever looked at (pending rows are few): their sightings are read for them
-- alone, so the cost does not grow with the whole ledger.
-- Computed at load, kept in core.pending_links; core.int_pending_links reads that table (end of this file).
-- The rules are table macros over the rows and sightings they read, named as strings: a load recomputes
-- the (account, amount) groups in core.refresh_amounts (every rule here pairs rows of one account and one
-- amount) from their copies core.scope_transactions and core.scope_sightings (the core.calc_* views), and
-- a recomputation of every account reads core.transactions and core.transaction_sightings themselves
-- (loads/10e_refresh_all.sql): one text of the rules for both.
CREATE OR REPLACE MACRO core.rule_pending_links(txn_table, sighting_table) AS TABLE
WITH pend AS (
    SELECT txn_id, account_id, booking_date, amount, label_raw,
           row_number() OVER (PARTITION BY account_id, booking_date, amount, upper(label_raw)
                              ORDER BY txn_id) AS ord
    FROM query_table(txn_table) WHERE pending AND deleted_at IS NULL
),
pair AS (
    SELECT p.txn_id AS pending_id, b.txn_id AS booked_id, p.ord AS p_ord, p.booking_date AS p_date,
           b.booking_date AS b_date, p.label_raw AS p_label, b.label_raw AS b_label, b.account_id, b.amount
    FROM pend p
    JOIN query_table(txn_table) b ON b.account_id = p.account_id AND b.amount = p.amount
                            AND NOT b.pending AND b.deleted_at IS NULL
                            AND b.booking_date BETWEEN p.booking_date - INTERVAL 1 DAY
                                                   AND p.booking_date + INTERVAL 10 DAY
),
sight AS (
    SELECT txn_id, raw_sha256, fetched_at FROM query_table(sighting_table)
    WHERE txn_id IN (SELECT pending_id FROM pair UNION ALL SELECT booked_id FROM pair)
),
first_seen AS (SELECT txn_id, min(fetched_at) AS first_seen_at FROM sight GROUP BY txn_id),
co_seen AS (SELECT DISTINCT a.txn_id AS a_id, b.txn_id AS b_id FROM sight a JOIN sight b USING (raw_sha256)),
booked_ord AS (
    SELECT booked_id,
           row_number() OVER (PARTITION BY account_id, b_date, amount, upper(b_label) ORDER BY booked_id) AS ord
    FROM (SELECT DISTINCT booked_id, account_id, b_date, amount, b_label FROM pair)
),
cand AS (
    SELECT c.pending_id, c.booked_id, c.account_id,
           jaro_winkler_similarity(upper(strip_accents(c.p_label)), upper(strip_accents(c.b_label)))
             - 0.02 * abs(date_diff('day', c.p_date, c.b_date))
             - 0.0001 * abs(c.p_ord - bo.ord) AS score
    FROM pair c
    JOIN booked_ord bo USING (booked_id)
    JOIN first_seen fp ON fp.txn_id = c.pending_id
    JOIN first_seen fb ON fb.txn_id = c.booked_id
    WHERE fb.first_seen_at >= fp.first_seen_at
      AND NOT EXISTS (SELECT 1 FROM co_seen x WHERE x.a_id = c.pending_id AND x.b_id = c.booked_id)
      AND NOT EXISTS (SELECT 1 FROM core.user_links u WHERE u.action = 'unlink'
                      AND u.a_id = c.pending_id AND u.b_id = c.booked_id)
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY pending_id ORDER BY score DESC, booked_id) AS rp,
           row_number() OVER (PARTITION BY booked_id ORDER BY score DESC, pending_id) AS rb
    FROM cand
)
SELECT pending_id, booked_id, 'pending_to_booked' AS rule, round(score, 3) AS score, account_id
FROM ranked WHERE rp = 1 AND rb = 1
UNION ALL
SELECT u.a_id, u.b_id, 'user_link', 1.0, p.account_id
FROM core.user_links u JOIN pend p ON p.txn_id = u.a_id
WHERE u.action = 'link';

CREATE OR REPLACE VIEW core.calc_pending_links AS
FROM core.rule_pending_links('core.scope_transactions', 'core.scope_sightings');

-- Computed after core.pending_links (same rows), kept in core.pending_state.
CREATE OR REPLACE MACRO core.rule_pending_state(txn_table, sighting_table) AS TABLE
WITH pend AS (
    SELECT t.txn_id, t.account_id, t.booking_date,
           (SELECT max(fetched_at) FROM query_table(sighting_table) s WHERE s.txn_id = t.txn_id) AS last_seen_at
    FROM query_table(txn_table) t WHERE t.pending AND t.deleted_at IS NULL
),
linked AS (SELECT pending_id, any_value(booked_id) AS booked_id FROM core.pending_links
           WHERE pending_id IN (SELECT txn_id FROM pend) GROUP BY pending_id)
SELECT p.txn_id,
       CASE WHEN l.booked_id IS NOT NULL THEN 'booked'
            WHEN EXISTS (SELECT 1 FROM core.int_coverage c
                         JOIN core.raw_files r ON r.raw_sha256 = c.raw_sha256 AND r.bank = c.bank
                                              AND r.connection = c.connection
                         WHERE c.account_id = p.account_id
                           AND p.booking_date BETWEEN c.window_start AND c.window_end
                           AND r.fetched_at > p.last_seen_at) THEN 'expired'
            ELSE 'open' END AS state,
       l.booked_id,
       p.account_id
FROM pend p LEFT JOIN linked l ON l.pending_id = p.txn_id;

CREATE OR REPLACE VIEW core.calc_pending_state AS
FROM core.rule_pending_state('core.scope_transactions', 'core.scope_sightings');

-- What readers see: the materialized results.
CREATE OR REPLACE VIEW core.int_pending_links AS
SELECT pending_id, booked_id, rule, score FROM core.pending_links;

CREATE OR REPLACE VIEW core.int_pending_state AS
SELECT txn_id, state, booked_id FROM core.pending_state;
