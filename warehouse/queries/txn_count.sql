SELECT count(*) FROM core.transactions;
