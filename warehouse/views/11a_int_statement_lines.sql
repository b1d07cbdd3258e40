-- Statement lines, each piece of money once (issue 11). A statement is its account and period, so a
-- re-saved copy of a file never loads twice (core.statements keys on them). Statements of one account
-- whose periods overlap (a monthly and an annual one; a line printed within the ± 7 days slack past a
-- period's end) print the same operation twice: they are matched line by line on (date, amount, k-th
-- such line of its statement), and the line of the earlier statement (period start, then id) is kept.
-- checks/statement_double_count.sql reports what would still show twice.
CREATE OR REPLACE VIEW core.int_statement_lines AS
WITH ranked AS (
    SELECT l.*,
           row_number() OVER (PARTITION BY l.statement_id, l.booking_date, l.amount
                              ORDER BY l.row_number) AS day_ord,
           dense_rank() OVER (PARTITION BY l.account_id ORDER BY s.period_start, s.period_end,
                              l.statement_id) AS statement_rank
    FROM core.statement_lines l
    JOIN core.statements s USING (statement_id)
),
firsts AS (   -- one line per (account, date, amount, ordinal): the one of the earliest statement
    SELECT *, row_number() OVER (PARTITION BY account_id, booking_date, amount, day_ord
                                 ORDER BY statement_rank, row_number) AS copy_no
    FROM ranked
)
SELECT * EXCLUDE (day_ord, statement_rank, copy_no)
FROM firsts
WHERE copy_no = 1
QUALIFY row_number() OVER (PARTITION BY txn_id ORDER BY statement_id, row_number) = 1;

-- The statement lines of the (account, amount) groups a load recomputes (core.refresh_amounts): what the
-- core.calc_* views of 12-13 read.
CREATE OR REPLACE VIEW core.scope_statement_lines AS
SELECT l.* FROM core.int_statement_lines l
SEMI JOIN core.refresh_amounts g ON g.account_id = l.account_id AND g.amount = l.amount;
