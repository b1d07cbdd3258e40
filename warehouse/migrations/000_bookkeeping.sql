-- Bookkeeping of the warehouse itself. Run at every open, before any other migration (so it must stay
-- idempotent: IF NOT EXISTS only), then recorded like the others.
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL);
-- the digest of the views' SQL they were last created from (warehouse/db.py create_views)
CREATE TABLE IF NOT EXISTS ops.view_version (digest VARCHAR);
