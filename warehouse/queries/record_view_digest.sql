INSERT INTO ops.view_version VALUES ($digest);
