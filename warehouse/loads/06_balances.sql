-- when: balances
-- params: balance_files = balances
-- The balances of the payloads being loaded, one per (account, day, source): the newest fetch wins.
-- loads/06b_balances_upsert.sql applies them. (One INSERT ... ON CONFLICT DO UPDATE cost twice the update and
-- the anti-joined insert at 322k rows, issue 13; DuckDB binds parameters only in a file's last statement.)
CREATE OR REPLACE TEMP TABLE stage_balances AS
SELECT account_id, date, source, balance, fetched_at, raw_sha256
FROM read_parquet($balance_files, union_by_name = true)
QUALIFY row_number() OVER (PARTITION BY account_id, date, source ORDER BY fetched_at DESC, raw_sha256) = 1;
