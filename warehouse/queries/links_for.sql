-- Links between rows, and each backfilled row (a statement line no API/CSV payload covered) with the
-- statement it comes from: a statement line's label says where it is printed (file, page, line).
WITH links AS (
    SELECT a_id, b_id, rule, score FROM core.int_links
    UNION ALL
    SELECT line_id, NULL, 'statement_backfill', NULL FROM core.int_statement_matches WHERE NOT covered
),
lines AS (
    SELECT l.txn_id,
           l.label_raw || ' (' || coalesce(f.source_name, l.raw_sha256[1:12])
             || coalesce(', page ' || l.page || ', line ' || l.line, '') || ')' AS label_raw
    FROM core.int_statement_lines l
    LEFT JOIN core.raw_files f ON f.raw_sha256 = l.raw_sha256 AND f.bank = l.bank AND f.connection = l.connection
)
SELECT l.a_id, l.b_id, l.rule, l.score,
       coalesce(ta.label_raw, la.label_raw) AS a_label, coalesce(tb.label_raw, lb.label_raw) AS b_label
FROM links l
LEFT JOIN core.transactions ta ON ta.txn_id = l.a_id
LEFT JOIN lines la ON la.txn_id = l.a_id
LEFT JOIN core.transactions tb ON tb.txn_id = l.b_id
LEFT JOIN lines lb ON lb.txn_id = l.b_id
WHERE $txn IS NULL OR l.a_id = $txn OR l.b_id = $txn
ORDER BY l.rule, l.a_id;
