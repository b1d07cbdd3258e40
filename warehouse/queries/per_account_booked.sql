-- Count and sum of booked transactions per account number (compared with simulators' ground truth).
SELECT account_number, count(*), sum(amount)
FROM marts.transactions
WHERE NOT pending
GROUP BY account_number;
