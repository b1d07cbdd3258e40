INSERT INTO ops.categorize_runs VALUES ($ran_at, $overrides, $user_rule_rows, $model_rows, $model_examples, $model_status);
