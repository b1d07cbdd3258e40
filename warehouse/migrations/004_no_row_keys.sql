-- 004: no PRIMARY KEY on the two big tables. Keeping their ART indexes up to date was most of an
-- incremental load's cost on a large warehouse (1,000 new rows into 10M: 1.35 s for the sightings'
-- key alone, benchmarks/README.md). Uniqueness is kept by the loads themselves: the stage decides
-- insert vs update per txn_id, and a payload's sightings are inserted once, when the payload itself is
-- (core.raw_files); checks/duplicate_keys.sql verifies both.
CREATE TABLE core.transactions_unkeyed AS SELECT * FROM core.transactions;
DROP TABLE core.transactions;
ALTER TABLE core.transactions_unkeyed RENAME TO transactions;

CREATE TABLE core.transaction_sightings_unkeyed AS SELECT * FROM core.transaction_sightings;
DROP TABLE core.transaction_sightings;
ALTER TABLE core.transaction_sightings_unkeyed RENAME TO transaction_sightings;
