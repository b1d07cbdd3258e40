-- when: transactions
-- params: txn_files = transactions
-- reports: stage_stats.sql
-- Stage the lake files of the payloads being loaded: one version per key, and what the load will do with
-- it: insert, update or nothing ("same").
-- A row is rewritten only when a newer server version arrives (Budgea last_update), or, for sources
-- without one, when a later fetch shows different values. So that one load of many payloads (a rebuild)
-- gives the rows the same lineage (raw_sha256, fetched_at) as loading them one by one, the version kept
-- is the FIRST sighting of the newest content: payloads ordered by server version then fetch time, the
-- start of the last run of identical values.
-- The stage is narrow: the keys, the action and where the kept version lies in the lake (lake_file, the
-- position of its file in $txn_files; lake_row, its row there). loads/02*, 05 read the other columns from
-- the lake by that location. A stage of every column (500k rows of labels) was what made a large import
-- spill to disk under its memory limit (issue 13).
CREATE OR REPLACE TEMP TABLE stage_txn AS
WITH src AS (
    SELECT txn_id, account_id, connection, amount, source_updated_at, fetched_at,
           file_index AS lake_file, file_row_number AS lake_row
    FROM read_parquet($txn_files, union_by_name = true)
),
-- Most keys are seen once in a load: only the others go through the windows (a third of the stage's
-- time at 1M rows), and only they need the compared values read
twice AS (
    SELECT txn_id FROM src GROUP BY txn_id HAVING count(*) > 1
),
runs AS (
    SELECT txn_id, account_id, connection, amount, source_updated_at, fetched_at, raw_sha256,
           file_index AS lake_file, file_row_number AS lake_row,
           (booking_date, value_date, operation_date, amount, label_raw, pending, deleted_at, source_updated_at)
           IS DISTINCT FROM lag((booking_date, value_date, operation_date, amount, label_raw, pending, deleted_at,
                                 source_updated_at))
                            OVER (PARTITION BY txn_id ORDER BY source_updated_at ASC NULLS FIRST, fetched_at,
                                                               raw_sha256) AS starts_run
    FROM read_parquet($txn_files, union_by_name = true)
    WHERE txn_id IN (SELECT txn_id FROM twice)
),
latest AS (
    SELECT * FROM src WHERE txn_id NOT IN (SELECT txn_id FROM twice)
    UNION ALL
    (SELECT txn_id, account_id, connection, amount, source_updated_at, fetched_at, lake_file, lake_row
     FROM runs WHERE starts_run
     QUALIFY row_number() OVER (PARTITION BY txn_id
                                ORDER BY source_updated_at DESC NULLS LAST, fetched_at DESC, raw_sha256 DESC) = 1)
),
old AS (
    SELECT txn_id, booking_date, value_date, operation_date, amount, label_raw, pending, deleted_at,
           source_updated_at, fetched_at
    FROM core.transactions WHERE account_id IN (SELECT account_id FROM latest)
),
-- the compared values of the kept versions of keys the warehouse has: read from the lake only for them
seen AS (
    SELECT file_index AS lake_file, file_row_number AS lake_row, booking_date, value_date, operation_date,
           amount, label_raw, pending, deleted_at
    FROM read_parquet($txn_files, union_by_name = true)
    WHERE txn_id IN (SELECT txn_id FROM old)
)
SELECT s.txn_id, s.account_id, s.connection, s.amount, s.lake_file, s.lake_row,
       CASE
         WHEN t.txn_id IS NULL THEN 'insert'
         WHEN s.source_updated_at > t.source_updated_at
           OR (s.source_updated_at IS NOT NULL AND t.source_updated_at IS NULL) THEN 'update'
         WHEN s.source_updated_at IS NULL AND t.source_updated_at IS NULL AND s.fetched_at > t.fetched_at
          AND (w.booking_date, w.value_date, w.operation_date, w.amount, w.label_raw, w.pending, w.deleted_at)
              IS DISTINCT FROM
              (t.booking_date, t.value_date, t.operation_date, t.amount, t.label_raw, t.pending, t.deleted_at)
           THEN 'update'
         ELSE 'same'
       END AS action
FROM latest s
LEFT JOIN old t ON t.txn_id = s.txn_id
LEFT JOIN seen w ON w.lake_file = s.lake_file AND w.lake_row = s.lake_row;
