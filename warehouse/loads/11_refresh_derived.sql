-- Recompute the materialized identity results (migrations/006_derived_tables.sql) for the accounts in core.refresh_scope,
-- in dependency order, then empty the scope. Also run outside a load, by Warehouse.refresh_derived
-- (the user's links changed; the first open after migration 006).
CREATE OR REPLACE TEMP TABLE refresh_accounts AS SELECT DISTINCT account_id FROM core.refresh_scope;
DELETE FROM core.refresh_scope;
INSERT INTO core.refresh_scope SELECT account_id FROM refresh_accounts;
-- the scope's rows and their sightings, read by the core.calc_* views
DELETE FROM core.scope_transactions;
INSERT INTO core.scope_transactions
SELECT * FROM core.transactions WHERE account_id IN (SELECT account_id FROM refresh_accounts);
DELETE FROM core.scope_sightings;
INSERT INTO core.scope_sightings
SELECT * FROM core.transaction_sightings WHERE txn_id IN (SELECT txn_id FROM core.scope_transactions);

DELETE FROM core.statement_matches WHERE account_id IN (SELECT account_id FROM refresh_accounts);
INSERT INTO core.statement_matches
SELECT line_id, covered, matched_txn_id, rule, score, account_id FROM core.calc_statement_matches;

DELETE FROM core.pending_links WHERE account_id IN (SELECT account_id FROM refresh_accounts);
INSERT INTO core.pending_links
SELECT pending_id, booked_id, rule, score, account_id FROM core.calc_pending_links;

DELETE FROM core.pending_state WHERE account_id IN (SELECT account_id FROM refresh_accounts);
INSERT INTO core.pending_state
SELECT txn_id, state, booked_id, account_id FROM core.calc_pending_state;

DELETE FROM core.ledger WHERE account_id IN (SELECT account_id FROM refresh_accounts);
INSERT INTO core.ledger
SELECT * FROM core.calc_transactions;

-- empty outside a refresh (and in the readers' snapshot)
DELETE FROM core.refresh_scope;
DELETE FROM core.scope_transactions;
DELETE FROM core.scope_sightings;
