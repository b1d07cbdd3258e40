SELECT txn_id, booking_date, amount, label_raw, merchant, category, category_source
FROM marts.transactions WHERE txn_id = ?;
