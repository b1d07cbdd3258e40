-- The user's rules' categories (registered as relation `edits_rule_categories`).
DELETE FROM core.rule_categories;
INSERT INTO core.rule_categories SELECT txn_id, category, rule FROM edits_rule_categories;
