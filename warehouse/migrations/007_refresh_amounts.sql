-- 007: loads recompute the identity results of the (account, amount) groups they touched rather than of
-- whole accounts (issue 13). Every rule of views/11-13 pairs rows of one account and one amount (pending
-- to booked, statement line to row, identical rows numbered within their group), so a group's results
-- depend on its own rows, their sightings, the account's coverage windows and the user's links only.
-- loads/01b and 10*_scope_*.sql name the groups here; loads/11_refresh_derived.sql adds every group of
-- the whole accounts in core.refresh_scope (a change of the user's links, a full recomputation) and
-- recomputes them; empty outside a refresh.
CREATE TABLE core.refresh_amounts (account_id VARCHAR NOT NULL, amount DECIMAL(18,2) NOT NULL);
