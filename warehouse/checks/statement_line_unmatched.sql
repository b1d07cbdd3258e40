-- severity: error
-- Statement lines on days an API or CSV payload covered, with no matching row there: a transaction the
-- API missed, or a match bankflow could not make (see `bankflow links`).
SELECT l.txn_id AS line_id, l.account_ref, l.booking_date, l.amount, l.label_raw
FROM core.int_statement_matches m
JOIN core.int_statement_lines l ON l.txn_id = m.line_id
WHERE m.covered AND m.matched_txn_id IS NULL;
