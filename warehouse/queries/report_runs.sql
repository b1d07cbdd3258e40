-- The report's data health: the latest run of each connection (ops.sync_runs) and when it last
-- succeeded.
SELECT connection, bank, run_id, started_at, finished_at, status, message, rows_inserted, rows_updated,
       (SELECT max(o.finished_at) FROM ops.sync_runs o
        WHERE o.connection = r.connection AND o.status = 'ok') AS last_ok_at
FROM ops.sync_runs r
QUALIFY row_number() OVER (PARTITION BY connection ORDER BY started_at DESC, run_id DESC) = 1
ORDER BY connection;
