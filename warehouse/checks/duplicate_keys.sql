-- severity: error
-- Keys that must be unique (the loads keep them so; the tables carry no index, see migration 004).
SELECT 'transaction' AS what, txn_id AS key, count(*) AS n FROM core.transactions GROUP BY txn_id HAVING count(*) > 1
UNION ALL
SELECT 'sighting', txn_id || ' in ' || raw_sha256, count(*) FROM core.transaction_sightings
GROUP BY txn_id, raw_sha256 HAVING count(*) > 1;
