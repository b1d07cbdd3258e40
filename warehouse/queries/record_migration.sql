INSERT INTO ops.schema_migrations VALUES ($name, $applied_at);
