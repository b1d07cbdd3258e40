-- Mirror <data-dir>/overrides.csv (registered as relation `edits_overrides`).
DELETE FROM core.category_overrides;
INSERT INTO core.category_overrides SELECT txn_id, category, set_at FROM edits_overrides;
