-- Intermediate layer: the live ledger. Rows from APIs and CSVs (not deleted at the bank, and not a
-- pending row that was superseded by its booked twin or expired), plus the statement lines that no
-- API/CSV payload covered (the backfill), with lineage aggregated.
-- Computed at load after core.statement_matches and core.pending_state, and kept in core.ledger;
-- core.int_transactions reads that table. A table macro over the rows, sightings and statement lines it
-- reads (see 11_int_pending.sql): the copies of the (account, amount) groups in core.refresh_amounts, or
-- core.transactions, core.transaction_sightings and core.int_statement_lines for every account.
CREATE OR REPLACE MACRO core.rule_transactions(txn_table, sighting_table, line_table) AS TABLE
WITH seen AS (
    SELECT txn_id,
           -- = string_agg(DISTINCT source, ',' ORDER BY source), 3x faster on a whole ledger
           array_to_string(list_sort(list_distinct(list(source))), ',') AS sources,
           min(fetched_at) AS first_seen_at,
           max(fetched_at) AS last_seen_at
    FROM query_table(sighting_table)
    GROUP BY txn_id
),
evidence AS (  -- statements that confirm an API/CSV row add 'statement' to its sources
    -- (not narrowed to the rows read: a CTE read twice is materialized, 1M wide rows at a rebuild)
    SELECT matched_txn_id AS txn_id FROM core.statement_matches WHERE matched_txn_id IS NOT NULL
),
backfill AS (
    SELECT l.txn_id, l.account_id, l.bank, l.connection, l.account_ref, 'statement' AS source,
           l.booking_date, l.value_date, l.operation_date, l.amount, l.currency, l.label_raw, l.label,
           l.merchant, l.kind, l.category, l.category_source, false AS pending, NULL::VARCHAR AS bank_txn_id,
           NULL::VARCHAR AS bank_category, NULL::VARCHAR AS bank_type, NULL::TIMESTAMP AS deleted_at,
           'statement' AS sources, l.fetched_at AS first_seen_at, l.fetched_at AS last_seen_at
    FROM query_table(line_table) l
    JOIN core.statement_matches m ON m.line_id = l.txn_id
    WHERE NOT m.covered
)
SELECT t.txn_id, t.account_id, t.bank, t.connection, t.account_ref, t.source, t.booking_date,
       t.value_date, t.operation_date, t.amount, t.currency, t.label_raw, t.label, t.merchant, t.kind,
       t.category, t.category_source, t.pending, t.bank_txn_id, t.bank_category, t.bank_type,
       t.deleted_at,
       CASE WHEN t.txn_id IN (SELECT txn_id FROM evidence) THEN seen.sources || ',statement'
            ELSE seen.sources END AS sources,
       seen.first_seen_at, seen.last_seen_at
FROM query_table(txn_table) t
LEFT JOIN seen USING (txn_id)
LEFT JOIN core.pending_state ps USING (txn_id)
WHERE t.deleted_at IS NULL
  AND coalesce(ps.state, 'open') = 'open'
UNION ALL
SELECT * FROM backfill;

CREATE OR REPLACE VIEW core.calc_transactions AS
FROM core.rule_transactions('core.scope_transactions', 'core.scope_sightings', 'core.scope_statement_lines');

-- What readers see: the materialized ledger.
CREATE OR REPLACE VIEW core.int_transactions AS
SELECT txn_id, account_id, bank, connection, account_ref, source, booking_date, value_date, operation_date,
       amount, currency, label_raw, label, merchant, kind, category, category_source, pending, bank_txn_id,
       bank_category, bank_type, deleted_at, sources, first_seen_at, last_seen_at
FROM core.ledger;

-- Every link bankflow made, with its rule and score, so a user can see and undo it
-- (`bankflow unlink A B`).
CREATE OR REPLACE VIEW core.int_links AS
SELECT pending_id AS a_id, booked_id AS b_id, rule, score FROM core.int_pending_links
UNION ALL
SELECT line_id, matched_txn_id, rule, score FROM core.int_statement_matches WHERE matched_txn_id IS NOT NULL
UNION ALL
SELECT s.txn_id, NULL, 'expired', NULL FROM core.int_pending_state s WHERE s.state = 'expired';
