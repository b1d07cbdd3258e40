-- Pending rows and what became of them (DESIGN §6, "pending to booked").
-- A pending row is superseded by the booked row that matches it: same account, same amount, booked
-- from 1 day before to 10 days after the pending date, first seen no earlier than the pending row, and
-- never seen in the same payload as it (two rows shown side by side are two transactions). Among candidates the best score
-- wins, one to one (each side's best choice must be the other): score = label similarity (Jaro-Winkler
-- on normalized labels; pending labels are often generic) minus 0.02 per day apart. The user's
-- links.csv can forbid ('unlink') or force ('link') a pair. Identical rows are numbered within their group
-- and the k-th preferred for the k-th (see 12_int_statement_matches.sql), so all of them pair up.
-- A pending row that is not superseded expires when a later payload covering its day no longer shows it.
CREATE OR REPLACE VIEW core.int_pending_links AS
WITH seen AS (
    SELECT txn_id, min(fetched_at) AS first_seen_at FROM core.transaction_sightings GROUP BY txn_id
),
pend AS (
    SELECT t.txn_id, t.account_id, t.booking_date, t.amount, t.label_raw, s.first_seen_at,
           row_number() OVER (PARTITION BY t.account_id, t.booking_date, t.amount, upper(t.label_raw)
                              ORDER BY t.txn_id) AS ord
    FROM core.transactions t JOIN seen s USING (txn_id) WHERE t.pending AND t.deleted_at IS NULL
),
booked AS (
    SELECT t.txn_id, t.account_id, t.booking_date, t.amount, t.label_raw, s.first_seen_at,
           row_number() OVER (PARTITION BY t.account_id, t.booking_date, t.amount, upper(t.label_raw)
                              ORDER BY t.txn_id) AS ord
    FROM core.transactions t JOIN seen s USING (txn_id) WHERE NOT t.pending AND t.deleted_at IS NULL
),
cand AS (
    SELECT p.txn_id AS pending_id, b.txn_id AS booked_id,
           jaro_winkler_similarity(upper(strip_accents(p.label_raw)), upper(strip_accents(b.label_raw)))
             - 0.02 * abs(date_diff('day', p.booking_date, b.booking_date))
             - 0.0001 * abs(p.ord - b.ord) AS score
    FROM pend p
    JOIN booked b ON b.account_id = p.account_id AND b.amount = p.amount
                 AND b.booking_date BETWEEN p.booking_date - INTERVAL 1 DAY AND p.booking_date + INTERVAL 10 DAY
                 AND b.first_seen_at >= p.first_seen_at
    WHERE NOT EXISTS (SELECT 1 FROM core.transaction_sightings sp
                      JOIN core.transaction_sightings sb ON sb.raw_sha256 = sp.raw_sha256
                      WHERE sp.txn_id = p.txn_id AND sb.txn_id = b.txn_id)
      AND NOT EXISTS (SELECT 1 FROM core.user_links u WHERE u.action = 'unlink'
                      AND ((u.a_id = p.txn_id AND u.b_id = b.txn_id) OR (u.a_id = b.txn_id AND u.b_id = p.txn_id)))
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY pending_id ORDER BY score DESC, booked_id) AS rp,
           row_number() OVER (PARTITION BY booked_id ORDER BY score DESC, pending_id) AS rb
    FROM cand
)
SELECT pending_id, booked_id, 'pending_to_booked' AS rule, round(score, 3) AS score
FROM ranked WHERE rp = 1 AND rb = 1
UNION ALL
SELECT u.a_id, u.b_id, 'user_link', 1.0
FROM core.user_links u JOIN pend p ON p.txn_id = u.a_id
WHERE u.action = 'link';

CREATE OR REPLACE VIEW core.int_pending_state AS
WITH pend AS (
    SELECT t.txn_id, t.account_id, t.booking_date,
           (SELECT max(fetched_at) FROM core.transaction_sightings s WHERE s.txn_id = t.txn_id) AS last_seen_at
    FROM core.transactions t WHERE t.pending AND t.deleted_at IS NULL
),
linked AS (SELECT pending_id, any_value(booked_id) AS booked_id FROM core.int_pending_links GROUP BY pending_id)
SELECT p.txn_id,
       CASE WHEN l.booked_id IS NOT NULL THEN 'booked'
            WHEN EXISTS (SELECT 1 FROM core.int_coverage c
                         JOIN core.raw_files r ON r.raw_sha256 = c.raw_sha256 AND r.bank = c.bank
                                              AND r.connection = c.connection
                         WHERE c.account_id = p.account_id
                           AND p.booking_date BETWEEN c.window_start AND c.window_end
                           AND r.fetched_at > p.last_seen_at) THEN 'expired'
            ELSE 'open' END AS state,
       l.booked_id
FROM pend p LEFT JOIN linked l ON l.pending_id = p.txn_id;
