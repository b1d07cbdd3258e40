"""``python -m tests.faults.driver sync CONFIG DATA_DIR``: the sync's working parts (fetch every enabled
connection concurrently, land, parse, load in one transaction) exactly as ``flows/sync.py`` runs them,
minus Prefect (whose start-up takes seconds), so that the fault suite can kill many syncs. Exit 1 when
a connection failed."""
from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from pipeline.config import load_config, select_connections
from pipeline.datadir import DataDir
from pipeline.lifeline import guard
from pipeline.runner import fetch_all, load_outcomes, sync_states


def sync(config: Path, data_dir: Path) -> int:
    guard()
    conns = select_connections(load_config(config))
    dd = DataDir(data_dir)
    outcomes = asyncio.run(fetch_all(conns, dd, sync_states(dd, conns)))
    outcomes = load_outcomes(dd, outcomes, uuid.uuid4().hex[:12])
    for o in outcomes:
        if not o.ok:
            print(o.message, file=sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "sync":
        sys.exit(__doc__)
    sys.exit(sync(Path(sys.argv[2]), Path(sys.argv[3])))
