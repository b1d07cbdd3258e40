"""The benchmarks' data (``benchmarks/data``) and synthetic ledger generator (``benchmarks/synth.py``),
for tests that check bulk code against its reference on them. Both ship with the repository."""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def synth() -> ModuleType:
    """``benchmarks/synth.py``, imported without leaving ``benchmarks/`` on ``sys.path``."""
    sys.path.insert(0, str(BENCH))
    try:
        import synth as module
    finally:
        sys.path.remove(str(BENCH))
    return module


def csv_rows(name: str) -> list[dict[str, str]]:
    """The rows of ``benchmarks/data/NAME`` (``real_labels.csv``, ``labeled_labels.csv``...)."""
    with (BENCH / "data" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))
