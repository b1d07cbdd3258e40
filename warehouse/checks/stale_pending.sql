-- severity: warning
-- Pending rows older than 30 days that never booked nor expired (no later payload covered their day).
SELECT txn_id, account_ref, booking_date, amount, label_raw
FROM core.int_transactions
WHERE pending AND booking_date < current_date - INTERVAL 30 DAY;
