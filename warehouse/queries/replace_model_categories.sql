-- The model's accepted predictions (registered as relation `edits_model_categories`).
DELETE FROM core.model_categories;
INSERT INTO core.model_categories SELECT txn_id, category, confidence FROM edits_model_categories;
