-- Stage the lake files of the artifacts being loaded. One version per key: the newest server version,
-- then the newest fetch.
CREATE OR REPLACE TEMP TABLE stage_txn AS
SELECT * FROM read_parquet($txn_files, union_by_name = true)
QUALIFY row_number() OVER (PARTITION BY txn_id
                           ORDER BY source_updated_at DESC NULLS LAST, fetched_at DESC, raw_sha256) = 1;
