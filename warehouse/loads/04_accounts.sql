-- when: accounts
-- params: account_files = accounts
-- Upsert accounts. Several payloads may describe one account (the account list, a CSV export): per
-- field, the newest non-null value wins, so a CSV that does not know the account type never erases it.
INSERT INTO core.accounts
SELECT account_id,
       any_value(bank),
       arg_max(connection, fetched_at),
       any_value(account_ref),
       arg_max(account_number, fetched_at) FILTER (WHERE account_number IS NOT NULL),
       arg_max(iban, fetched_at) FILTER (WHERE iban IS NOT NULL),
       arg_max(name, fetched_at) FILTER (WHERE name IS NOT NULL),
       arg_max(type, fetched_at) FILTER (WHERE type IS NOT NULL),
       arg_max(currency, fetched_at) FILTER (WHERE currency IS NOT NULL),
       arg_max(balance, fetched_at) FILTER (WHERE balance IS NOT NULL),
       arg_max(balance_date, fetched_at) FILTER (WHERE balance_date IS NOT NULL),
       arg_max(deleted, fetched_at),
       arg_max(disabled, fetched_at),
       max(fetched_at),
       arg_max(raw_sha256, fetched_at)
FROM read_parquet($account_files, union_by_name = true)
GROUP BY account_id
ON CONFLICT (account_id) DO UPDATE SET
    account_number = coalesce(excluded.account_number, accounts.account_number),
    iban = coalesce(excluded.iban, accounts.iban),
    name = coalesce(excluded.name, accounts.name), type = coalesce(excluded.type, accounts.type),
    currency = coalesce(excluded.currency, accounts.currency),
    balance = coalesce(excluded.balance, accounts.balance),
    balance_date = coalesce(excluded.balance_date, accounts.balance_date),
    deleted = excluded.deleted, disabled = excluded.disabled,
    fetched_at = excluded.fetched_at, raw_sha256 = excluded.raw_sha256
WHERE excluded.fetched_at > accounts.fetched_at
  AND (coalesce(excluded.account_number, accounts.account_number), coalesce(excluded.iban, accounts.iban),
       coalesce(excluded.name, accounts.name), coalesce(excluded.type, accounts.type),
       coalesce(excluded.currency, accounts.currency), coalesce(excluded.balance, accounts.balance),
       coalesce(excluded.balance_date, accounts.balance_date), excluded.deleted, excluded.disabled)
      IS DISTINCT FROM
      (accounts.account_number, accounts.iban, accounts.name, accounts.type, accounts.currency,
       accounts.balance, accounts.balance_date, accounts.deleted, accounts.disabled);
