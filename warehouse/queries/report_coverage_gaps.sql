-- The report's list of coverage gaps (marts.coverage_gaps), longest first.
SELECT account_id, account_number, gap_start, gap_end, days
FROM marts.coverage_gaps
ORDER BY days DESC, account_number, gap_start;
