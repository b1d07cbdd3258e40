-- The accounts whose identity results a change of the user's links (relation `edits_links`, the new
-- decisions, compared with core.user_links before it is replaced) can change.
INSERT INTO core.refresh_scope
WITH changed AS (
    (SELECT a_id, b_id, action FROM core.user_links EXCEPT SELECT a_id, b_id, action FROM edits_links)
    UNION ALL
    (SELECT a_id, b_id, action FROM edits_links EXCEPT SELECT a_id, b_id, action FROM core.user_links)
),
ids AS (SELECT a_id AS id FROM changed UNION SELECT b_id FROM changed)
SELECT account_id FROM core.transactions WHERE txn_id IN (SELECT id FROM ids)
UNION
SELECT account_id FROM core.statement_lines WHERE txn_id IN (SELECT id FROM ids);
