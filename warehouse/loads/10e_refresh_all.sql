-- if: refresh_all_accounts.sql
-- Every account is to be recomputed (a rebuild or a first load into an empty warehouse: loads/10d named
-- every account; Warehouse.recompute_derived; the first open after migration 006): the identity results
-- are computed in one set-based pass straight from core.transactions, core.transaction_sightings and
-- core.int_statement_lines, by the same rules (the core.rule_* macros of views/11-13) that
-- loads/11_refresh_derived.sql applies to its copies of the groups a load touched; there is then nothing
-- left for it to do. At 1M rows the copies alone cost more than the rules (issue 13); both paths give the
-- same tables (tests/identity/test_full_refresh.py).
DELETE FROM core.statement_matches;
DELETE FROM core.pending_links;
DELETE FROM core.pending_state;
DELETE FROM core.ledger;

INSERT INTO core.statement_matches
SELECT line_id, covered, matched_txn_id, rule, score, account_id
FROM core.rule_statement_matches('core.transactions', 'core.int_statement_lines');

INSERT INTO core.pending_links
SELECT pending_id, booked_id, rule, score, account_id
FROM core.rule_pending_links('core.transactions', 'core.transaction_sightings');

INSERT INTO core.pending_state
SELECT txn_id, state, booked_id, account_id
FROM core.rule_pending_state('core.transactions', 'core.transaction_sightings');

INSERT INTO core.ledger
SELECT * FROM core.rule_transactions('core.transactions', 'core.transaction_sightings', 'core.int_statement_lines');

DELETE FROM core.refresh_scope;
DELETE FROM core.refresh_amounts;
