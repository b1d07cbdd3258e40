-- when: transactions
-- The (account, amount) groups of the rows this load staged (inserted, updated or seen again: a new
-- sighting moves first/last seen and may pair or expire a pending row): loads/11_refresh_derived.sql
-- recomputes them.
INSERT INTO core.refresh_amounts
SELECT DISTINCT account_id, amount FROM stage_txn;
