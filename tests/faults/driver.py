"""``python -m tests.faults.driver sync CONFIG DATA_DIR``: the sync's working parts (fetch every enabled
connection concurrently, land, parse, load in one transaction) exactly as ``flows/sync.py`` runs them,
minus Prefect (whose start-up takes seconds): ``pipeline.sync_without_prefect``, so that the fault suite
can kill many syncs. Exit 1 when a connection failed."""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.lifeline import guard
from pipeline.sync_without_prefect import sync_in_process


def sync(config: Path, data_dir: Path) -> int:
    guard()
    summary = sync_in_process(config, data_dir)
    for r in summary["connections"]:
        if r["status"] != "ok":
            print(r["message"], file=sys.stderr)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "sync":
        sys.exit(__doc__)
    sys.exit(sync(Path(sys.argv[2]), Path(sys.argv[3])))
