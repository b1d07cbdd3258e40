-- Whether accounts wait in core.refresh_scope outside a load (migration 006 asks for all of them).
SELECT count(*) > 0 FROM core.refresh_scope;
