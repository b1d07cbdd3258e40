"""Test-wide settings: Prefect runs against a throwaway home, quietly, without telemetry."""
from __future__ import annotations

import os
import tempfile

_home = tempfile.mkdtemp(prefix="bankflow-prefect-home-")
for k, v in {"PREFECT_HOME": _home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
             "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240",
             "PREFECT_API_URL": ""}.items():
    if k == "PREFECT_API_URL":
        os.environ.pop(k, None)  # never talk to a developer's own server from the tests
    else:
        os.environ.setdefault(k, v)

