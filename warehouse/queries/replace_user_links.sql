-- Mirror <data-dir>/links.csv (registered as relation `edits_links`).
DELETE FROM core.user_links;
INSERT INTO core.user_links SELECT a_id, b_id, action, set_at FROM edits_links;
