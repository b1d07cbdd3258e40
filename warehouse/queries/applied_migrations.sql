SELECT name FROM ops.schema_migrations;
