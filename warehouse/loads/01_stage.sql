-- Stage the lake files of the payloads being loaded: one version per key (the newest server version,
-- then the newest fetch), and what the load will do with it: insert, update or nothing ("same").
-- A row is rewritten only when a newer server version arrives (Budgea last_update), or, for sources
-- without one, when a later fetch shows different values.
CREATE OR REPLACE TEMP TABLE stage_txn AS
WITH latest AS (
    SELECT * FROM read_parquet($txn_files, union_by_name = true)
    QUALIFY row_number() OVER (PARTITION BY txn_id
                               ORDER BY source_updated_at DESC NULLS LAST, fetched_at DESC, raw_sha256) = 1
)
SELECT s.*,
       CASE
         WHEN t.txn_id IS NULL THEN 'insert'
         WHEN s.source_updated_at > t.source_updated_at
           OR (s.source_updated_at IS NOT NULL AND t.source_updated_at IS NULL) THEN 'update'
         WHEN s.source_updated_at IS NULL AND t.source_updated_at IS NULL AND s.fetched_at > t.fetched_at
          AND (s.booking_date, s.value_date, s.operation_date, s.amount, s.label_raw, s.pending, s.deleted_at)
              IS DISTINCT FROM
              (t.booking_date, t.value_date, t.operation_date, t.amount, t.label_raw, t.pending, t.deleted_at)
           THEN 'update'
         ELSE 'same'
       END AS action
FROM latest s
LEFT JOIN (SELECT * FROM core.transactions WHERE account_id IN (SELECT account_id FROM latest)) t
       ON t.txn_id = s.txn_id;
