DELETE FROM ops.view_version;
