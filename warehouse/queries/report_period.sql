-- The report's reference: the latest booking day of the ledger (NULL when it is empty).
SELECT max(booking_date) AS latest FROM marts.transactions WHERE NOT pending;
