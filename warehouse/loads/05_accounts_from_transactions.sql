-- when: transactions
-- Accounts known only from transaction files (a CSV import): create a minimal account row.
INSERT INTO core.accounts (account_id, bank, connection, account_ref, account_number, currency,
                           deleted, disabled, fetched_at, raw_sha256)
SELECT account_id, any_value(bank), any_value(connection), any_value(account_ref), any_value(account_ref),
       any_value(currency), false, false, min(fetched_at), min(raw_sha256)
FROM stage_txn
GROUP BY account_id
ON CONFLICT (account_id) DO NOTHING;
