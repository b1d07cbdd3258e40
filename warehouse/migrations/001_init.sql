-- 001: the spine's schema. Migrations are append-only: change the schema in a new numbered file.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS marts;

-- Every landed payload that has been loaded (one row per raw file).
CREATE TABLE core.raw_files (
    raw_sha256    VARCHAR NOT NULL,
    bank          VARCHAR NOT NULL,
    connection    VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    resource      VARCHAR,
    account_ref   VARCHAR,
    raw_path      VARCHAR NOT NULL,
    fetched_at    TIMESTAMP NOT NULL,
    window_start  DATE,
    window_end    DATE,
    source_name   VARCHAR,
    rows          INTEGER,
    loaded_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (bank, connection, raw_sha256)
);

CREATE TABLE core.accounts (
    account_id     VARCHAR PRIMARY KEY,
    bank           VARCHAR NOT NULL,
    connection     VARCHAR NOT NULL,
    account_ref    VARCHAR NOT NULL,
    account_number VARCHAR,
    iban           VARCHAR,
    name           VARCHAR,
    type           VARCHAR,
    currency       VARCHAR,
    balance        DECIMAL(18,2),
    balance_date   DATE,
    deleted        BOOLEAN,
    disabled       BOOLEAN,
    fetched_at     TIMESTAMP NOT NULL,
    raw_sha256     VARCHAR NOT NULL
);

CREATE TABLE core.transactions (
    txn_id            VARCHAR PRIMARY KEY,
    account_id        VARCHAR NOT NULL,
    bank              VARCHAR NOT NULL,
    connection        VARCHAR NOT NULL,
    account_ref       VARCHAR NOT NULL,
    source_key        VARCHAR NOT NULL,
    occurrence        INTEGER NOT NULL,
    source            VARCHAR NOT NULL,
    booking_date      DATE NOT NULL,
    value_date        DATE,
    operation_date    DATE,
    amount            DECIMAL(18,2) NOT NULL,
    currency          VARCHAR NOT NULL,
    label_raw         VARCHAR NOT NULL,
    label             VARCHAR,
    merchant          VARCHAR,
    kind              VARCHAR,
    category          VARCHAR,
    category_source   VARCHAR NOT NULL,
    pending           BOOLEAN NOT NULL,
    bank_txn_id       VARCHAR,
    bank_category     VARCHAR,
    bank_type         VARCHAR,
    deleted_at        TIMESTAMP,
    source_updated_at TIMESTAMP,
    fetched_at        TIMESTAMP NOT NULL,
    raw_sha256        VARCHAR NOT NULL
);

-- Which raw files showed which transaction: lineage, sources and first/last seen, without rewriting
-- core.transactions when a payload is fetched again.
CREATE TABLE core.transaction_sightings (
    txn_id      VARCHAR NOT NULL,
    raw_sha256  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    fetched_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (txn_id, raw_sha256)
);

CREATE TABLE core.balances (
    account_id  VARCHAR NOT NULL,
    date        DATE NOT NULL,
    source      VARCHAR NOT NULL,
    balance     DECIMAL(18,2) NOT NULL,
    fetched_at  TIMESTAMP NOT NULL,
    raw_sha256  VARCHAR NOT NULL,
    PRIMARY KEY (account_id, date, source)
);

CREATE TABLE core.statements (
    statement_id    VARCHAR PRIMARY KEY,
    account_id      VARCHAR NOT NULL,
    bank            VARCHAR NOT NULL,
    account_ref     VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    opening_balance DECIMAL(18,2) NOT NULL,
    closing_balance DECIMAL(18,2) NOT NULL,
    total_debits    DECIMAL(18,2) NOT NULL,
    total_credits   DECIMAL(18,2) NOT NULL,
    line_count      INTEGER NOT NULL,
    raw_sha256      VARCHAR NOT NULL
);

-- Statement lines. They are evidence; the ones outside every API/CSV coverage window of their
-- account are the backfill and show as transactions (view core.int_transactions).
CREATE TABLE core.statement_lines (
    statement_id    VARCHAR NOT NULL,
    row_number      INTEGER NOT NULL,
    txn_id          VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    bank            VARCHAR NOT NULL,
    connection      VARCHAR NOT NULL,
    account_ref     VARCHAR NOT NULL,
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
    fetched_at      TIMESTAMP NOT NULL,
    raw_sha256      VARCHAR NOT NULL,
    PRIMARY KEY (statement_id, row_number)
);

-- One row per connection per run.
CREATE TABLE ops.sync_runs (
    run_id            VARCHAR NOT NULL,
    connection        VARCHAR NOT NULL,
    bank              VARCHAR NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,
    message           VARCHAR,
    artifacts_fetched INTEGER,
    artifacts_new     INTEGER,
    rows_inserted     INTEGER,
    rows_updated      INTEGER,
    requests          INTEGER,
    PRIMARY KEY (run_id, connection)
);

CREATE TABLE ops.checks (
    checked_at  TIMESTAMP NOT NULL,
    check_name  VARCHAR NOT NULL,
    violations  INTEGER NOT NULL,
    sample      VARCHAR
);
