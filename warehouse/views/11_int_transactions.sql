-- Intermediate layer: the live ledger. Rows from APIs and CSVs (not deleted at the bank), plus the
-- statement lines that no API/CSV payload covered (the backfill), with lineage aggregated.
CREATE OR REPLACE VIEW core.int_transactions AS
WITH seen AS (
    SELECT txn_id,
           string_agg(DISTINCT source, ',' ORDER BY source) AS sources,
           min(fetched_at) AS first_seen_at,
           max(fetched_at) AS last_seen_at
    FROM core.transaction_sightings
    GROUP BY txn_id
),
backfill AS (
    SELECT l.txn_id, l.account_id, l.bank, l.connection, l.account_ref, 'statement' AS source,
           l.booking_date, l.value_date, l.operation_date, l.amount, l.currency, l.label_raw, l.label,
           l.merchant, l.kind, l.category, l.category_source, false AS pending, NULL::VARCHAR AS bank_txn_id,
           NULL::VARCHAR AS bank_category, NULL::VARCHAR AS bank_type, NULL::TIMESTAMP AS deleted_at,
           'statement' AS sources, l.fetched_at AS first_seen_at, l.fetched_at AS last_seen_at
    FROM core.statement_lines l
    WHERE NOT EXISTS (SELECT 1 FROM core.int_coverage c
                      WHERE c.account_id = l.account_id
                        AND l.booking_date BETWEEN c.window_start AND c.window_end)
)
SELECT t.txn_id, t.account_id, t.bank, t.connection, t.account_ref, t.source, t.booking_date,
       t.value_date, t.operation_date, t.amount, t.currency, t.label_raw, t.label, t.merchant, t.kind,
       t.category, t.category_source, t.pending, t.bank_txn_id, t.bank_category, t.bank_type,
       t.deleted_at, seen.sources, seen.first_seen_at, seen.last_seen_at
FROM core.transactions t
LEFT JOIN seen USING (txn_id)
WHERE t.deleted_at IS NULL
UNION ALL
SELECT * FROM backfill;
