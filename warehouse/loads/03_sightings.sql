INSERT INTO core.transaction_sightings
SELECT DISTINCT txn_id, raw_sha256, source, fetched_at
FROM read_parquet($txn_files, union_by_name = true)
ON CONFLICT DO NOTHING;
