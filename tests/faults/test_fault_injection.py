"""The fault-injection suite, quick mode: every operation that writes (sync, import, backfill, rebuild,
categorize, link, unlink) gets one seeded fault: SIGKILL or SIGTERM at a seeded moment, or, for the
ones that load, a fault inside a load step's transaction (raised, or SIGKILL). After each, the warehouse is
its state before or after the command, with no duplicate txn_id, `bankflow check` passes, no process
is left, and a re-run reaches the ground truth (see tests/faults/engine.py).

The long mode (every load step, many moments, all three banks) is benchmarks/bench_faults.py; its
figures are in benchmarks/README.md. ``BANKFLOW_FAULT_SEED`` changes the moments."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.engine import Lab, fingerprint, plan

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
SEED = int(os.environ.get("BANKFLOW_FAULT_SEED", "20261205"))
OPS = ["sync", "import", "backfill", "rebuild", "categorize", "link", "unlink"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    # Boursorama: a small, fast ledger (Budgea and LCL are in the long mode)
    with Lab(tmp_path_factory.mktemp("faults"), banks=["boursorama"], statements=1) as lab:
        lab.prepare(OPS)
        yield lab


def test_quick_campaign(lab: Lab) -> None:
    faults = plan(lab, seed=SEED, quick=True)
    assert {name for name, _ in faults} == set(lab.ops)
    verdicts = [lab.inject(name, fault) for name, fault in faults]
    bad = [v for v in verdicts if not v.ok]
    assert not bad, "\n".join(map(str, bad))


def test_the_verdict_can_fail(lab: Lab) -> None:
    """The suite's judge fires: a warehouse with a row removed is neither before nor after, and a
    duplicated txn_id is counted."""
    from tests.faults.engine import duplicates

    op = lab.ops["categorize"]
    d = lab.copy(op.pre, "judge")
    from pipeline.datadir import DataDir

    with DataDir(d).open_warehouse() as wh:
        wh.query("INSERT INTO core.transactions SELECT * FROM core.transactions LIMIT 1")
        wh.recompute_derived()   # the ledger is materialized at load: as a load would, it sees the row
    assert duplicates(d) >= 1
    assert fingerprint(d) not in (op.before, op.after)
