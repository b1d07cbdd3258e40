-- Whether a refresh has groups or accounts to recompute (loads/11_refresh_derived.sql); none after
-- loads/10e_refresh_all.sql recomputed every account.
SELECT EXISTS (SELECT 1 FROM core.refresh_amounts) OR EXISTS (SELECT 1 FROM core.refresh_scope);
