-- The sync artifact's totals per currency: live accounts, their latest balances summed, booked rows.
SELECT coalesce(a.currency, 'EUR') AS currency, count(*) AS accounts, sum(a.balance)::DECIMAL(18,2) AS balance,
       (SELECT count(*) FROM marts.transactions t WHERE NOT t.pending
          AND coalesce(t.currency, 'EUR') = coalesce(a.currency, 'EUR')) AS transactions
FROM marts.accounts a
GROUP BY ALL
ORDER BY currency;
