-- severity: error
-- Money counted twice across statements: for an account, a day and an amount, more statement rows
-- show as transactions than any single statement prints. A copy of a statement (re-saved, other
-- bytes) or two statements with overlapping periods must add each operation once
-- (views/11a_int_statement_lines.sql); what remains here is counted twice in marts.transactions.
WITH shown AS (
    SELECT account_id, account_ref, booking_date, amount, count(*) AS n_shown,
           string_agg(label_raw, ' | ' ORDER BY label_raw) AS labels
    FROM core.int_transactions
    WHERE source = 'statement'
    GROUP BY account_id, account_ref, booking_date, amount
),
printed AS (
    SELECT account_id, booking_date, amount, max(n) AS n_printed
    FROM (SELECT account_id, statement_id, booking_date, amount, count(*) AS n
          FROM core.statement_lines GROUP BY ALL)
    GROUP BY ALL
)
SELECT s.account_ref, s.booking_date, s.amount, s.n_shown, p.n_printed, s.labels
FROM shown s
JOIN printed p USING (account_id, booking_date, amount)
WHERE s.n_shown > p.n_printed
ORDER BY s.account_ref, s.booking_date, s.amount;
