-- Whether core.refresh_scope names every account that has rows or statement lines (then
-- loads/10e_refresh_all.sql recomputes everything in one pass instead of group by group).
SELECT EXISTS (SELECT 1 FROM core.refresh_scope)
   AND NOT EXISTS (SELECT account_id FROM core.transactions
                   UNION SELECT account_id FROM core.statement_lines
                   EXCEPT SELECT account_id FROM core.refresh_scope);
