SELECT l.a_id, l.b_id, l.rule, l.score,
       coalesce(ta.label_raw, la.label_raw) AS a_label, coalesce(tb.label_raw, lb.label_raw) AS b_label
FROM core.int_links l
LEFT JOIN core.transactions ta ON ta.txn_id = l.a_id
LEFT JOIN core.statement_lines la ON la.txn_id = l.a_id
LEFT JOIN core.transactions tb ON tb.txn_id = l.b_id
LEFT JOIN core.statement_lines lb ON lb.txn_id = l.b_id
WHERE $txn IS NULL OR l.a_id = $txn OR l.b_id = $txn
ORDER BY l.rule, l.a_id;
