INSERT INTO ops.sync_runs (run_id, connection, bank, started_at, finished_at, status, message,
                           artifacts_fetched, artifacts_new, rows_inserted, rows_updated, requests)
VALUES ($run_id, $connection, $bank, $started_at, $finished_at, $status, $message,
        $artifacts_fetched, $artifacts_new, $rows_inserted, $rows_updated, $requests)
ON CONFLICT (run_id, connection) DO UPDATE SET
    finished_at = excluded.finished_at, status = excluded.status, message = excluded.message,
    artifacts_fetched = excluded.artifacts_fetched, artifacts_new = excluded.artifacts_new,
    rows_inserted = excluded.rows_inserted, rows_updated = excluded.rows_updated,
    requests = excluded.requests;
