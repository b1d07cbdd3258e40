-- The report's monthly cash flow: marts.monthly_cashflow summed over the accounts, per currency.
SELECT coalesce(currency, 'EUR') AS currency, month,
       sum(inflow)::DECIMAL(18,2) AS inflow, sum(outflow)::DECIMAL(18,2) AS outflow,
       sum(net)::DECIMAL(18,2) AS net, sum(transactions)::BIGINT AS transactions
FROM marts.monthly_cashflow
GROUP BY ALL
ORDER BY currency, month;
