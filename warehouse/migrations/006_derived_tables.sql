-- 006: the heavy identity results, materialized at load for the accounts a load touched (issue 17),
-- so that the marts read plain tables instead of recomputing sightings, pending links and statement
-- matches over the whole ledger at every query. The rules stay in views/11-13 (core.calc_*); these
-- tables hold their results, per account. loads/10_scope_*.sql name the accounts a load touched,
-- loads/11_refresh_derived.sql recomputes them; an empty ``core.refresh_scope`` outside a load.
CREATE TABLE core.refresh_scope (account_id VARCHAR NOT NULL);
-- the scope's rows and sightings, copied once per refresh (each core.calc_* view reads them several
-- times; the sightings have no account column, so finding a scope's sightings scans the whole table)
CREATE TABLE core.scope_transactions AS SELECT * FROM core.transactions LIMIT 0;
CREATE TABLE core.scope_sightings AS SELECT * FROM core.transaction_sightings LIMIT 0;

-- core.int_statement_matches, per account
CREATE TABLE core.statement_matches (
    line_id         VARCHAR NOT NULL,
    covered         BOOLEAN NOT NULL,
    matched_txn_id  VARCHAR,
    rule            VARCHAR,
    score           DOUBLE,
    account_id      VARCHAR NOT NULL
);

-- core.int_pending_links, per account
CREATE TABLE core.pending_links (
    pending_id  VARCHAR NOT NULL,
    booked_id   VARCHAR,
    rule        VARCHAR NOT NULL,
    score       DOUBLE,
    account_id  VARCHAR NOT NULL
);

-- core.int_pending_state, per account
CREATE TABLE core.pending_state (
    txn_id      VARCHAR NOT NULL,
    state       VARCHAR NOT NULL,
    booked_id   VARCHAR,
    account_id  VARCHAR NOT NULL
);

-- core.int_transactions (the live ledger with its lineage), per account
CREATE TABLE core.ledger (
    txn_id          VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    bank            VARCHAR NOT NULL,
    connection      VARCHAR NOT NULL,
    account_ref     VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    booking_date    DATE NOT NULL,
    value_date      DATE,
    operation_date  DATE,
    amount          DECIMAL(18,2) NOT NULL,
    currency        VARCHAR NOT NULL,
    label_raw       VARCHAR NOT NULL,
    label           VARCHAR,
    merchant        VARCHAR,
    kind            VARCHAR,
    category        VARCHAR,
    category_source VARCHAR NOT NULL,
    pending         BOOLEAN NOT NULL,
    bank_txn_id     VARCHAR,
    bank_category   VARCHAR,
    bank_type       VARCHAR,
    deleted_at      TIMESTAMP,
    sources         VARCHAR,
    first_seen_at   TIMESTAMP,
    last_seen_at    TIMESTAMP
);

-- An existing warehouse: every account is computed once, at the first open after this migration
-- (warehouse/db.py runs loads/11_refresh_derived.sql when the scope is not empty at open).
INSERT INTO core.refresh_scope
SELECT account_id FROM core.transactions UNION SELECT account_id FROM core.statement_lines;
