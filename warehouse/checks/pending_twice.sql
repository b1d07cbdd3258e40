-- severity: error
-- A pending row still counted while the booked row it was linked to is live: the same money twice.
SELECT l.pending_id, l.booked_id, l.rule, l.score
FROM core.int_pending_links l
WHERE l.pending_id IN (SELECT txn_id FROM core.int_transactions WHERE pending)
  AND l.booked_id IN (SELECT txn_id FROM core.int_transactions);
