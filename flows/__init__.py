"""Prefect flows and the ``bankflow`` CLI. Thin: they call connectors, transforms and warehouse."""
