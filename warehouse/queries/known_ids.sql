SELECT txn_id FROM core.transactions WHERE txn_id IN ($a, $b)
UNION
SELECT txn_id FROM core.statement_lines WHERE txn_id IN ($a, $b);
