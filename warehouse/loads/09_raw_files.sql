-- when: artifacts
-- params: artifact_files = artifacts, loaded_at = now
INSERT INTO core.raw_files
SELECT raw_sha256, bank, connection, kind, resource, account_ref, raw_path, fetched_at, window_start,
       window_end, source_name, rows, $loaded_at
FROM read_parquet($artifact_files, union_by_name = true)
ON CONFLICT DO NOTHING;
