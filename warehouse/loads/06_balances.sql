-- when: balances
-- params: balance_files = balances
INSERT INTO core.balances
SELECT account_id, date, source, balance, fetched_at, raw_sha256
FROM read_parquet($balance_files, union_by_name = true)
QUALIFY row_number() OVER (PARTITION BY account_id, date, source ORDER BY fetched_at DESC, raw_sha256) = 1
ON CONFLICT (account_id, date, source) DO UPDATE SET
    balance = excluded.balance, fetched_at = excluded.fetched_at, raw_sha256 = excluded.raw_sha256
WHERE excluded.balance <> balances.balance AND excluded.fetched_at > balances.fetched_at;
