-- Statement lines against the API/CSV rows of the same account (docs/design.md §6, rule 6): one to one
-- on exact amount, booking dates at most 4 days apart, best label similarity (mutual best). A matched
-- line is evidence for its row. An unmatched line outside every API/CSV coverage window is the backfill
-- (it shows as a transaction); an unmatched line inside one is reported by checks/statement_line_unmatched.
-- Identical rows (two coffees of one day) have identical scores: each side is numbered within its group
-- of identical rows and the k-th is preferred for the k-th (a tiny penalty per ordinal apart), so mutual
-- best pairs them all, one to one.
-- Computed at load, kept in core.statement_matches; core.int_statement_matches reads that table. A table
-- macro over the rows and statement lines it reads (see 11_int_pending.sql): a load passes the copies of
-- the (account, amount) groups in core.refresh_amounts (lines and rows of one account and amount), a
-- recomputation of every account core.transactions and core.int_statement_lines.
CREATE OR REPLACE MACRO core.rule_statement_matches(txn_table, line_table) AS TABLE
WITH lines AS (
    SELECT l.txn_id AS line_id, l.account_id, l.booking_date, l.amount, l.label_raw,
           EXISTS (SELECT 1 FROM core.int_coverage c
                   WHERE c.account_id = l.account_id
                     AND l.booking_date BETWEEN c.window_start AND c.window_end) AS covered,
           row_number() OVER (PARTITION BY l.account_id, l.booking_date, l.amount, upper(l.label_raw)
                              ORDER BY l.txn_id) AS ord
    FROM query_table(line_table) l
),
rows AS (
    SELECT txn_id, account_id, booking_date, amount, label_raw,
           row_number() OVER (PARTITION BY account_id, booking_date, amount, upper(label_raw)
                              ORDER BY txn_id) AS ord
    FROM query_table(txn_table) WHERE NOT pending AND deleted_at IS NULL
      AND account_id IN (SELECT account_id FROM lines)  -- (accounts without statement lines: no work)
),
cand AS (
    SELECT l.line_id, r.txn_id,
           jaro_winkler_similarity(upper(strip_accents(l.label_raw)), upper(strip_accents(r.label_raw)))
             - 0.02 * abs(date_diff('day', l.booking_date, r.booking_date))
             - 0.0001 * abs(l.ord - r.ord) AS score
    FROM lines l
    JOIN rows r ON r.account_id = l.account_id AND r.amount = l.amount
               AND r.booking_date BETWEEN l.booking_date - INTERVAL 4 DAY AND l.booking_date + INTERVAL 4 DAY
    WHERE l.covered
      AND NOT EXISTS (SELECT 1 FROM core.user_links u WHERE u.action = 'unlink'
                      AND ((u.a_id = l.line_id AND u.b_id = r.txn_id) OR (u.a_id = r.txn_id AND u.b_id = l.line_id)))
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY line_id ORDER BY score DESC, txn_id) AS rl,
           row_number() OVER (PARTITION BY txn_id ORDER BY score DESC, line_id) AS rt
    FROM cand
)
SELECT l.line_id, l.covered, m.txn_id AS matched_txn_id,
       CASE WHEN m.txn_id IS NOT NULL THEN 'statement_match' END AS rule, round(m.score, 3) AS score,
       l.account_id
FROM lines l
LEFT JOIN (SELECT * FROM ranked WHERE rl = 1 AND rt = 1) m ON m.line_id = l.line_id;

CREATE OR REPLACE VIEW core.calc_statement_matches AS
FROM core.rule_statement_matches('core.scope_transactions', 'core.scope_statement_lines');

-- What readers see: the materialized results.
CREATE OR REPLACE VIEW core.int_statement_matches AS
SELECT line_id, covered, matched_txn_id, rule, score FROM core.statement_matches;
