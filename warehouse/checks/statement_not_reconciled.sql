-- severity: error
-- Statements whose balances do not add up (opening + credits - debits = closing, and the totals line
-- equals the sums of its lines). The parser refuses such PDFs; this guards the table itself.
SELECT s.statement_id, s.account_ref, s.period_start, s.period_end, s.opening_balance, s.closing_balance,
       s.total_credits, s.total_debits,
       sum(l.amount) FILTER (WHERE l.amount > 0) AS line_credits,
       -sum(l.amount) FILTER (WHERE l.amount < 0) AS line_debits
FROM core.statements s
LEFT JOIN core.statement_lines l USING (statement_id)
GROUP BY ALL
HAVING s.opening_balance + s.total_credits - s.total_debits <> s.closing_balance
    OR coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0) <> s.total_credits
    OR coalesce(-sum(l.amount) FILTER (WHERE l.amount < 0), 0) <> s.total_debits;
