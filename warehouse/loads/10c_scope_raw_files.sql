-- when: artifacts
-- params: artifact_files = artifacts
-- A new coverage window (core.int_coverage: an API or CSV payload's complete days) can expire a pending
-- row of its account booked inside it, or turn a statement line inside it from backfill into evidence:
-- the groups of those rows and lines.
INSERT INTO core.refresh_amounts
WITH win AS (
    SELECT DISTINCT a.account_id, r.window_start, r.window_end
    FROM read_parquet($artifact_files, union_by_name = true) r
    JOIN core.accounts a ON a.bank = r.bank AND a.account_ref = r.account_ref
    WHERE r.kind <> 'pdf' AND r.window_start IS NOT NULL AND r.window_end IS NOT NULL
)
SELECT t.account_id, t.amount
FROM core.transactions t
JOIN win w ON w.account_id = t.account_id AND t.booking_date BETWEEN w.window_start AND w.window_end
WHERE t.pending AND t.deleted_at IS NULL
UNION
SELECT l.account_id, l.amount
FROM core.statement_lines l
JOIN win w ON w.account_id = l.account_id AND l.booking_date BETWEEN w.window_start AND w.window_end;
