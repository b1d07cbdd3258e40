-- The report's data health: the latest result of each warehouse check (ops.checks).
SELECT check_name, checked_at, violations, sample
FROM ops.checks
QUALIFY row_number() OVER (PARTITION BY check_name ORDER BY checked_at DESC) = 1
ORDER BY violations = 0, check_name;
