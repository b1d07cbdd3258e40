SELECT count(*), count(*) FILTER (WHERE pending) FROM marts.transactions;
