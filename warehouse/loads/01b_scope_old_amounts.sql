-- when: transactions
-- The (account, amount) groups that rows updated by this load leave: a newer version of a row can carry
-- another amount (Budgea: a pending card payment booked at its final amount), and the group it leaves
-- must be recomputed too (its other rows may pair differently without it). Read before the update.
INSERT INTO core.refresh_amounts
SELECT DISTINCT t.account_id, t.amount
FROM core.transactions t
JOIN (SELECT txn_id, amount FROM stage_txn WHERE action = 'update') s USING (txn_id)
WHERE t.amount <> s.amount;
