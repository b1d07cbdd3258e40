-- Whether the staged load replaces any row (loads/02b_transactions_update.sql reads the lake only then).
SELECT EXISTS (SELECT 1 FROM stage_txn WHERE action = 'update');
