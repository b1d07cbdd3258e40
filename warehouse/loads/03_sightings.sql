-- when: transactions
-- params: txn_files = transactions
-- Which payload showed which transaction. A payload is loaded once (core.raw_files, written last in
-- this transaction), so its sightings are inserted once: no key to maintain.
INSERT INTO core.transaction_sightings
SELECT DISTINCT txn_id, raw_sha256, source, fetched_at
FROM read_parquet($txn_files, union_by_name = true)
WHERE raw_sha256 NOT IN (SELECT raw_sha256 FROM core.raw_files);
