"""Fault-injection campaign, long mode (issue 12): kill bankflow's writing commands many times and count
what is lost, duplicated or left running. The quick mode of the same engine runs in the tests
(tests/faults/test_fault_injection.py); see tests/faults/engine.py for what is checked.

Operations: sync (the runner without Prefect, tests/faults/driver.py), sync-prefect (the real
``bankflow sync``: Prefect flow and its temporary server), import (the shared Boursorama CSVs, when
../shared is there), backfill (the golden statement PDFs), rebuild, categorize, link, unlink; against
the three simulators (small ledgers, pinned "today").

Faults per operation: ``--kills`` SIGKILLs and ``--terms`` SIGTERMs at seeded moments within its
uninterrupted duration, plus a raise and a SIGKILL at every fault point it passes (each load step of
warehouse/loads, the load's commit, rebuild's swap; ``--points one`` for a single seeded one).

Run: ``python benchmarks/bench_faults.py [--kills 3 --terms 1 --points all --seed 1 --banks boursorama,budgea,lcl]``
Prints one line per fault, then: N faults, lost, duplicated, orphans, check failures, re-run failures.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.engine import Lab, Totals, plan  # noqa: E402

OPS = ["sync", "sync-prefect", "import", "backfill", "rebuild", "categorize", "link", "unlink"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--terms", type=int, default=1)
    ap.add_argument("--points", choices=("all", "one", "none"), default="all")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--banks", default="boursorama,budgea,lcl")
    ap.add_argument("--ops", default=",".join(OPS))
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bankflow-faults-"))
    started = time.monotonic()
    with Lab(work, banks=args.banks.split(",")) as lab:
        lab.prepare(args.ops.split(","))
        for name, op in lab.ops.items():
            print(f"{name:13s} uninterrupted {op.seconds:6.1f} s   rows before {len(op.before[0]):5d}  "
                  f"after {len(op.after[0]):5d}", flush=True)
        faults = plan(lab, seed=args.seed, kills=args.kills, terms=args.terms, every_point=args.points == "all")
        if args.points == "one":
            faults += [f for f in plan(lab, seed=args.seed, quick=True) if f[1].point]
        totals = Totals()
        kinds = collections.Counter(f.kind for _, f in faults)
        for i, (name, fault) in enumerate(faults, 1):
            t = time.monotonic()
            v = lab.inject(name, fault)
            totals.add(v)
            print(f"[{i:3d}/{len(faults)}] {name:13s} {str(fault):40s} -> {v.state:6s} "
                  f"{'' if v.fired else '(not reached) '}"
                  f"{'ok' if v.ok else 'FAIL ' + v.detail} ({time.monotonic() - t:.1f} s)", flush=True)
    print(f"\n{totals.faults} faults ({kinds['kill']} SIGKILL, {kinds['term']} SIGTERM at seeded moments; "
          f"{kinds['killpoint']} SIGKILL and {kinds['raise']} exceptions at fault points) over "
          f"{len(lab.ops)} operations, banks {args.banks}, seed {args.seed}, {time.monotonic() - started:.0f} s; "
          f"{totals.fired} reached the command before it finished (the rest: a signal after its end, or a "
          "load step its batch skips)")
    print(f"lost {totals.lost}, duplicated {totals.duplicated}, orphans {totals.orphans}, "
          f"new check violations {totals.check_failures}, re-runs off the ground truth {totals.rerun_failures}")
    print("states after the fault: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.states.items())))
    bad = totals.lost + totals.duplicated + totals.orphans + totals.check_failures + totals.rerun_failures
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
