-- when: artifacts
-- params: artifact_files = artifacts
-- The accounts this load's payloads covered (a new coverage window can expire a pending row or turn a
-- statement line from backfill into evidence).
INSERT INTO core.refresh_scope
SELECT DISTINCT a.account_id
FROM read_parquet($artifact_files, union_by_name = true) r
JOIN core.accounts a ON a.bank = r.bank AND a.account_ref = r.account_ref;
