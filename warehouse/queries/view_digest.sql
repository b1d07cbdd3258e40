SELECT digest FROM ops.view_version;
