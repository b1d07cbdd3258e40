-- Every account with rows or statement lines, for a full recomputation of the identity results.
INSERT INTO core.refresh_scope
SELECT account_id FROM core.transactions UNION SELECT account_id FROM core.statement_lines;
