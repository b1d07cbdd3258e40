-- Rows a load inserts and updates, per connection (read inside the load's transaction).
SELECT connection, count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM stage_txn
GROUP BY connection;
