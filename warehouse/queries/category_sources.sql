-- How many transactions got their category from where (bankflow categorize's summary).
SELECT category_source, count(*) AS n FROM marts.transactions GROUP BY 1 ORDER BY 2 DESC;
