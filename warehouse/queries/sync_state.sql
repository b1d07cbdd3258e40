-- What a connector may use as its incremental cursor.
SELECT max(source_updated_at), max(booking_date)
FROM core.transactions
WHERE bank = ? AND connection = ?;
