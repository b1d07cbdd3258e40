-- The accounts known before this load's accounts are upserted (loads/10d_scope_new_accounts.sql names
-- the new ones). Accounts are few: a copy of their ids.
CREATE OR REPLACE TEMP TABLE accounts_before AS SELECT account_id FROM core.accounts;
