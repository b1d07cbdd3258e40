SELECT count(*) FROM marts.accounts;
