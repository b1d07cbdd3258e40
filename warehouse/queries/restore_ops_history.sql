-- bankflow rebuild: the run history of the warehouse being replaced (read before it was moved aside)
-- goes back into the new one. BY NAME: an older warehouse may lack columns added since.
INSERT INTO ops.sync_runs BY NAME SELECT * FROM old_sync_runs;
INSERT INTO ops.checks BY NAME SELECT * FROM old_checks;
INSERT INTO ops.categorize_runs BY NAME SELECT * FROM old_categorize_runs;
