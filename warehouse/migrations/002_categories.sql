-- 002: categories from the user's edits and the learned fallback (pipeline/edits.py).
-- These tables are derived: the source of truth is <data-dir>/overrides.csv and <data-dir>/rules.toml,
-- re-read by every categories refresh (after each load and after `bankflow rebuild`).

-- Manual overrides (`bankflow categorize TXN_ID CATEGORY`), mirrored from overrides.csv.
CREATE TABLE core.category_overrides (
    txn_id    VARCHAR PRIMARY KEY,
    category  VARCHAR NOT NULL,
    set_at    TIMESTAMP
);

-- Categories from the user's own rules (<data-dir>/rules.toml), which come before the default taxonomy.
CREATE TABLE core.rule_categories (
    txn_id    VARCHAR PRIMARY KEY,
    category  VARCHAR NOT NULL,
    rule      VARCHAR NOT NULL
);

-- The learned fallback's accepted predictions (confidence at or above its threshold).
CREATE TABLE core.model_categories (
    txn_id     VARCHAR PRIMARY KEY,
    category   VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL
);

-- One row per categories refresh.
CREATE TABLE ops.categorize_runs (
    ran_at          TIMESTAMP NOT NULL,
    overrides       INTEGER NOT NULL,
    user_rule_rows  INTEGER NOT NULL,
    model_rows      INTEGER NOT NULL,
    model_examples  INTEGER,
    model_status    VARCHAR NOT NULL
);
