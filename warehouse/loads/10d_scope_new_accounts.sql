-- An account first known in this load makes the coverage windows of its payloads loaded earlier count
-- (core.int_coverage joins core.accounts): e.g. a statement and a listing of an account that had no row
-- yet. Such an account is recomputed whole (it is new: this is rare and small).
INSERT INTO core.refresh_scope
SELECT account_id FROM core.accounts WHERE account_id NOT IN (SELECT account_id FROM accounts_before);
