INSERT INTO ops.checks (checked_at, check_name, violations, sample) VALUES (?, ?, ?, ?);
