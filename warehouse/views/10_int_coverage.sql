-- Which days of each account an API or CSV payload covered completely (its window). Statement lines
-- inside such a window are evidence only; outside every window they are the backfill.
CREATE OR REPLACE VIEW core.int_coverage AS
SELECT a.account_id, r.bank, r.connection, r.kind, r.window_start, r.window_end, r.raw_sha256
FROM core.raw_files r
JOIN core.accounts a ON a.bank = r.bank AND a.account_ref = r.account_ref
WHERE r.kind <> 'pdf' AND r.window_start IS NOT NULL AND r.window_end IS NOT NULL;
