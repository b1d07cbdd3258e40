-- if: refresh_waiting.sql
-- Recompute the materialized identity results (migrations/006_derived_tables.sql) of the (account, amount)
-- groups in core.refresh_amounts (what a load touched: loads/01b, 10*_scope_*.sql) and of every group of
-- the whole accounts in core.refresh_scope, in dependency order, then empty both. Every rule pairs rows
-- of one account and one amount (migrations/007_refresh_amounts.sql), so recomputing a group gives what
-- recomputing its whole account gives (tests/identity/test_incremental_refresh.py compares them); a
-- 1k-row load no longer copies the whole of every account it touched. Also run outside a load, by
-- Warehouse.refresh_derived (the user's links changed; the first open after migration 006).
CREATE OR REPLACE TEMP TABLE refresh_groups AS
SELECT DISTINCT account_id, amount FROM (
    SELECT account_id, amount FROM core.refresh_amounts
    UNION ALL
    SELECT account_id, amount FROM core.transactions
    WHERE account_id IN (SELECT account_id FROM core.refresh_scope)
    UNION ALL
    SELECT account_id, amount FROM core.statement_lines
    WHERE account_id IN (SELECT account_id FROM core.refresh_scope)
);
DELETE FROM core.refresh_scope;
DELETE FROM core.refresh_amounts;
-- the groups, read by the core.calc_* views
INSERT INTO core.refresh_amounts SELECT account_id, amount FROM refresh_groups;
-- the groups' rows and their sightings, read by the core.calc_* views
DELETE FROM core.scope_transactions;
INSERT INTO core.scope_transactions
SELECT t.* FROM core.transactions t SEMI JOIN refresh_groups g ON g.account_id = t.account_id AND g.amount = t.amount;
DELETE FROM core.scope_sightings;
INSERT INTO core.scope_sightings
SELECT * FROM core.transaction_sightings WHERE txn_id IN (SELECT txn_id FROM core.scope_transactions);
CREATE OR REPLACE TEMP TABLE refresh_lines AS
SELECT l.txn_id FROM core.statement_lines l
SEMI JOIN refresh_groups g ON g.account_id = l.account_id AND g.amount = l.amount;

DELETE FROM core.statement_matches WHERE line_id IN (SELECT txn_id FROM refresh_lines);
INSERT INTO core.statement_matches
SELECT line_id, covered, matched_txn_id, rule, score, account_id FROM core.calc_statement_matches;

DELETE FROM core.pending_links WHERE pending_id IN (SELECT txn_id FROM core.scope_transactions);
INSERT INTO core.pending_links
SELECT pending_id, booked_id, rule, score, account_id FROM core.calc_pending_links;

DELETE FROM core.pending_state WHERE txn_id IN (SELECT txn_id FROM core.scope_transactions);
INSERT INTO core.pending_state
SELECT txn_id, state, booked_id, account_id FROM core.calc_pending_state;

DELETE FROM core.ledger
WHERE txn_id IN (SELECT txn_id FROM core.scope_transactions) OR txn_id IN (SELECT txn_id FROM refresh_lines);
INSERT INTO core.ledger
SELECT * FROM core.calc_transactions;

-- empty outside a refresh (and in the readers' snapshot)
DELETE FROM core.refresh_scope;
DELETE FROM core.refresh_amounts;
DELETE FROM core.scope_transactions;
DELETE FROM core.scope_sightings;
