-- when: balances
-- Upsert loads/06_balances.sql's rows: a known (account, day, source) takes a different balance from a later
-- fetch; an unknown one is inserted.
UPDATE core.balances AS b SET balance = s.balance, fetched_at = s.fetched_at, raw_sha256 = s.raw_sha256
FROM stage_balances AS s
WHERE s.account_id = b.account_id AND s.date = b.date AND s.source = b.source
  AND s.balance <> b.balance AND s.fetched_at > b.fetched_at;
INSERT INTO core.balances
SELECT s.account_id, s.date, s.source, s.balance, s.fetched_at, s.raw_sha256
FROM stage_balances s
ANTI JOIN (SELECT account_id, date, source FROM core.balances
           WHERE account_id IN (SELECT account_id FROM stage_balances)) b
       ON s.account_id = b.account_id AND s.date = b.date AND s.source = b.source;
DROP TABLE stage_balances;
