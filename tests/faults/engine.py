"""The fault-injection engine, shared by tests/faults/test_fault_injection.py (quick mode) and
benchmarks/bench_faults.py (long mode).

For each operation (sync, import, backfill, rebuild, categorize, link, unlink) it knows the data dir
*before* (B) and, from one uninterrupted run, *after* (A). A fault is then injected into a fresh copy
of B: SIGKILL or SIGTERM of the command's process at a seeded moment, or a test-only fault point
(``BANKFLOW_FAULT``, warehouse/failures.py) that raises or SIGKILLs inside a load step's transaction or
just before a rebuild takes effect. After each fault:

* lost: the warehouse is neither B nor A (or cannot be opened);
* duplicated: a txn_id appears twice (core.transactions or marts.transactions);
* check: an error-level ``bankflow check`` violation that the state (B or A) does not have itself;
* orphans: processes the command started that are still alive seconds later;
* then the command runs again, uninterrupted, and must reach A (the ground truth), checks passing.

Syncs run through tests/faults/driver.py (the runner without Prefect, seconds faster to start); every
other operation is the real ``bankflow`` command line.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.datadir import DataDir
from pipeline.edits import add_override
from pipeline.sandbox import SandboxSet
from tests.faults.procs import ROOT, kill, leftovers, mark_of
from warehouse.db import load_steps

#: the simulators' "today", pinned: the ledgers (and so A) do not move with the clock
TODAY = dt.date(2026, 11, 20)
#: small ledgers: a sync is a few seconds of work, so many can be killed
KNOBS = {"boursorama": {"months": 3, "today": TODAY}, "lcl": {"months": 3, "today": TODAY},
         "budgea": {"today": TODAY}}


def shared_dir() -> Path | None:
    d = Path(os.environ.get("BANKFLOW_SHARED_DIR", ROOT.parent / "shared"))
    return d if (d / "samples").is_dir() else None


@dataclass(frozen=True)
class Fault:
    """``kill``/``term`` at ``at`` seconds after start, or a fault point (``raise`` or ``killpoint``)."""

    kind: str
    at: float | None = None
    point: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}@{self.at:.2f}s" if self.at is not None else f"{self.kind}:{self.point}"


@dataclass
class Op:
    name: str
    argv: Callable[[Path], list[str]]
    pre: Path
    before: tuple = ()
    after: tuple = ()
    #: error-level check violations of B and A (real sample files can carry some: a balance gap between
    #: two exports years apart); a fault must add none
    checks_before: int = 0
    checks_after: int = 0
    seconds: float = 0.0
    #: fault points this operation passes (load steps for the ones that load)
    points: tuple[str, ...] = ()


@dataclass
class Verdict:
    op: str
    fault: str
    state: str                 # "before", "after" or "LOST"
    duplicates: int
    check_errors: int
    orphans: dict[int, str]
    rerun_ok: bool
    detail: str = ""
    #: the fault happened: the command was killed or failed (a signal after it finished, or a fault point
    #: in a load step its batch skips, changes nothing: such faults are counted apart)
    fired: bool = True

    @property
    def ok(self) -> bool:
        return self.state != "LOST" and not self.duplicates and not self.check_errors and not self.orphans \
            and self.rerun_ok


# -- what a data dir holds -------------------------------------------------------------------------------
def fingerprint(data: Path) -> tuple:
    """The warehouse's analyst-visible content: every transaction as marts shows it, the accounts, the
    user's links, the accounts' balances. () when there is no warehouse."""
    dd = DataDir(data)
    if not dd.warehouse_path.exists():
        return ((),) * 4  # as an empty warehouse
    with dd.open_warehouse(read_only=True) as wh:
        txns = wh.query("SELECT txn_id, account_id, booking_date, amount, pending, category, category_source "
                        "FROM marts.transactions ORDER BY ALL").fetchall()
        accounts = wh.query("SELECT account_id FROM core.accounts ORDER BY ALL").fetchall()
        links = wh.query("SELECT a_id, b_id, action FROM core.user_links ORDER BY ALL").fetchall()
        balances = wh.query("SELECT account_id, balance FROM marts.accounts ORDER BY ALL").fetchall()
    # not the raw files: some payloads differ at each fetch (a session token in a page), harmlessly
    return (tuple(txns), tuple(accounts), tuple(links), tuple(balances))


def duplicates(data: Path) -> int:
    dd = DataDir(data)
    if not dd.warehouse_path.exists():
        return 0
    with dd.open_warehouse(read_only=True) as wh:
        return sum(wh.query(f"SELECT count(*) FROM (SELECT txn_id FROM {t} GROUP BY 1 HAVING count(*) > 1)")
                   .fetchone()[0] for t in ("core.transactions", "marts.transactions"))


def check_errors(data: Path) -> int:
    """Error-level violations of ``bankflow check`` (not recorded: the data dir is only looked at)."""
    dd = DataDir(data)
    if not dd.warehouse_path.exists():
        return 0
    with dd.open_warehouse(read_only=True) as wh:
        return sum(r.violations for r in wh.run_checks(record=False) if r.severity == "error")


# -- running a command -------------------------------------------------------------------------------------
def run(argv: list[str], env: dict[str, str], *, fault: Fault | None = None, seconds_hint: float = 0.0,
        log: Path | None = None) -> tuple[int, str, dict[int, str]]:
    """Run ``python -m ARGV`` (inject ``fault``); returns (exit code, mark, processes left behind)."""
    e = {k: v for k, v in os.environ.items() if k not in ("BANKFLOW_LIFELINE", "BANKFLOW_FAULT")}
    e.update({"PYTHONPATH": str(ROOT), "COLUMNS": "160", **env})
    if fault is not None and fault.point:
        e["BANKFLOW_FAULT"] = fault.point + (":kill" if fault.kind == "killpoint" else "")
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen([sys.executable, "-m", *argv], env=e, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        if log:
            out.close()
    mark = mark_of(proc)
    if fault is not None and fault.at is not None:
        try:
            proc.wait(fault.at)
        except subprocess.TimeoutExpired:
            kill(proc, signal.SIGKILL if fault.kind == "kill" else signal.SIGTERM)
    try:
        code = proc.wait(max(600.0, seconds_hint * 10))
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return code, mark, leftovers(mark, 15.0)


# -- the lab: simulators, the states before each operation -------------------------------------------------
class Lab:
    """Everything one fault campaign needs, under ``work``. Use as a context manager (the simulators)."""

    def __init__(self, work: Path, *, cli_sync: bool = False, banks: list[str] | None = None,
                 statements: int | None = None) -> None:
        self.work = Path(work)
        self.statements = statements  # how many golden statement PDFs backfill reads (None: all)
        self.cli_sync = cli_sync
        self.sims = SandboxSet(banks, knobs=KNOBS)
        self.env: dict[str, str] = {}
        self.ops: dict[str, Op] = {}
        self.log = self.work / "commands.log"

    def __enter__(self) -> "Lab":
        self.work.mkdir(parents=True, exist_ok=True)
        self.sims.start()
        text, self.env = self.sims.config(env_prefix="BANKFLOW_FAULTS")
        self.config = self.work / "bankflow.toml"
        self.config.write_text(text, "utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        self.sims.stop()

    def copy(self, src: Path, name: str) -> Path:
        dst = self.work / name
        shutil.rmtree(dst, ignore_errors=True)
        if src.exists():
            shutil.copytree(src, dst)
        else:
            dst.mkdir(parents=True)
        return dst

    def prepare(self, names: list[str]) -> None:
        """Build B and A of every operation in ``names`` (each A from one uninterrupted run)."""
        empty = self.work / "state-empty"
        empty.mkdir(parents=True, exist_ok=True)
        loads = tuple(f"load:{s.name}" for s in load_steps()) + ("load:commit",)
        sync_argv = (lambda d: ["flows.cli", "sync", "--config", str(self.config), "--data-dir", str(d)]) \
            if self.cli_sync else (lambda d: ["tests.faults.driver", "sync", str(self.config), str(d)])
        self._add(Op("sync", sync_argv, empty, points=loads))
        if "sync-prefect" in names:  # the real `bankflow sync` (Prefect flow, its temporary server)
            self._add(Op("sync-prefect", lambda d: ["flows.cli", "sync", "--config", str(self.config),
                                                    "--data-dir", str(d)], empty, points=("load:03_sightings.sql",)))
        synced = self.ops["sync"].pre.parent / "state-after-sync"
        synced = self._after("sync", synced)
        sh = shared_dir()
        csvs = sorted((sh / "samples" / "boursorama").glob("*.csv")) if sh else []
        # statements bankflow reads (the shared samples are layouts it refuses): the golden fixtures
        pdfs = self.work / "statements"
        pdfs.mkdir(exist_ok=True)
        for f in sorted((ROOT / "tests" / "statements" / "golden").glob("*.pdf"))[:self.statements]:
            shutil.copy(f, pdfs / f.name)
        if "import" in names and csvs:
            self._add(Op("import", lambda d: ["flows.cli", "import", *map(str, csvs), "--data-dir", str(d)],
                         synced, points=loads))
        if "backfill" in names and any(pdfs.glob("*.pdf")):
            self._add(Op("backfill", lambda d: ["flows.cli", "backfill", str(pdfs), "--data-dir", str(d)],
                         synced, points=loads))
        txn, pair = self._targets(synced)
        if "rebuild" in names:
            # B: the synced state plus an edit written to overrides.csv but not applied yet (as after a
            # crash of `bankflow categorize`), so that A (which replays the edits) differs from B
            edited = self.copy(synced, "state-edited")
            add_override(edited, txn, "Santé")
            self._add(Op("rebuild", lambda d: ["flows.cli", "rebuild", "--data-dir", str(d)], edited,
                         points=("load:02_transactions.sql", "load:commit", "rebuild:swap")))
        if "categorize" in names:
            self._add(Op("categorize", lambda d: ["flows.cli", "categorize", txn, "Santé", "--no-model",
                                                  "--data-dir", str(d)], synced))
        if ("link" in names or "unlink" in names) and pair:
            self._add(Op("link", lambda d: ["flows.cli", "link", *pair, "--data-dir", str(d)], synced))
            if "unlink" in names:
                linked = self._after("link", self.work / "state-after-link")
                self._add(Op("unlink", lambda d: ["flows.cli", "unlink", *pair, "--data-dir", str(d)], linked))
        for name in list(self.ops):
            if name not in names:
                del self.ops[name]
        for op in self.ops.values():
            if not op.after:
                self._after(op.name, None)

    def _add(self, op: Op) -> None:
        op.before = fingerprint(op.pre)
        op.checks_before = check_errors(op.pre)
        self.ops[op.name] = op

    def _after(self, name: str, keep: Path | None) -> Path:
        """Run ``name`` uninterrupted on a copy of its B: its A (and how long it takes)."""
        op = self.ops[name]
        d = self.copy(op.pre, f"after-{name}")
        t = time.monotonic()
        code, _mark, left = run(op.argv(d), self.env, log=self.log)
        op.seconds = time.monotonic() - t
        assert not left, f"{name} left processes: {left}"
        op.after = fingerprint(d)
        assert op.after != op.before, f"{name} changed nothing (exit {code})"
        assert duplicates(d) == 0, f"{name}: its uninterrupted run duplicates rows"
        op.checks_after = check_errors(d)
        if keep is None:
            shutil.rmtree(d, ignore_errors=True)
            return d
        shutil.rmtree(keep, ignore_errors=True)
        d.rename(keep)
        return keep

    def _targets(self, data: Path) -> tuple[str, tuple[str, str] | None]:
        """A transaction to categorize, and a pending row with the booked row the user says it became
        (same account, same amount when there is one, nearest date), picked deterministically."""
        with DataDir(data).open_warehouse(read_only=True) as wh:
            txn = wh.query("SELECT min(txn_id) FROM marts.transactions WHERE category IS DISTINCT FROM "
                           "'Santé'").fetchone()[0]
            pair = wh.query("SELECT p.txn_id, b.txn_id FROM marts.transactions p JOIN marts.transactions b "
                            "ON b.account_id = p.account_id AND NOT b.pending WHERE p.pending "
                            "ORDER BY b.amount <> p.amount, abs(date_diff('day', p.booking_date, b.booking_date)), "
                            "p.txn_id, b.txn_id LIMIT 1").fetchone()
        return txn, (tuple(pair) if pair else None)

    # -- one fault -------------------------------------------------------------------------------------
    def inject(self, name: str, fault: Fault) -> Verdict:
        op = self.ops[name]
        d = self.copy(op.pre, f"fault-{name}")
        code, _mark, orphans = run(op.argv(d), self.env, fault=fault, seconds_hint=op.seconds, log=self.log)
        detail = ""
        try:
            fp = fingerprint(d)
            state = "before" if fp == op.before else "after" if fp == op.after else "LOST"
            dups = duplicates(d)
            errs = check_errors(d) - (op.checks_before if state == "before" else op.checks_after)
        except Exception as exc:  # a warehouse that does not open is lost data
            state, dups, errs, detail = "LOST", 0, 0, f"{type(exc).__name__}: {exc}"
        if state == "LOST" and not detail:
            detail = _diff(op, fp)
        _c2, _m2, left2 = run(op.argv(d), self.env, seconds_hint=op.seconds, log=self.log)
        try:
            fp2 = fingerprint(d)
            rerun_ok = fp2 == op.after and duplicates(d) == 0 and check_errors(d) == op.checks_after and not left2
            if not rerun_ok:
                detail += (f" rerun (exit {_c2}): {_diff(op, fp2)} dups {duplicates(d)} check {check_errors(d)} "
                           f"left {left2}")
        except Exception as exc:
            rerun_ok, detail = False, detail + f" rerun: {type(exc).__name__}: {exc}"
        shutil.rmtree(d, ignore_errors=True)
        return Verdict(name, str(fault), state, dups, errs, orphans, rerun_ok, detail, fired=code != 0)


def plan(lab: Lab, *, seed: int, kills: int = 0, terms: int = 0, every_point: bool = False,
         quick: bool = False) -> list[tuple[str, Fault]]:
    """The faults of a campaign, per operation: ``kills`` SIGKILLs and ``terms`` SIGTERMs at seeded
    moments over its uninterrupted duration, and (``every_point``) a raise and a kill at each of its
    fault points. ``quick``: one signal (SIGKILL or SIGTERM) and, where it has fault points, one seeded
    fault point (raise or kill)."""
    rng = random.Random(seed)
    out: list[tuple[str, Fault]] = []
    for name, op in lab.ops.items():
        span = max(op.seconds, 0.5)

        def moment() -> float:
            return round(rng.uniform(0.15, 1.0) * span, 2)

        if quick:  # one fault: a signal at a moment, or (half the time, where it loads) a fault point
            if op.points and rng.random() < 0.5:
                out.append((name, Fault(rng.choice(("raise", "killpoint")), point=rng.choice(op.points))))
            else:
                out.append((name, Fault(rng.choice(("kill", "term")), at=moment())))
            continue
        out += [(name, Fault("kill", at=moment())) for _ in range(kills)]
        out += [(name, Fault("term", at=moment())) for _ in range(terms)]
        for p in op.points if every_point else ():
            out += [(name, Fault("raise", point=p)), (name, Fault("killpoint", point=p))]
    return out


def _diff(op: Op, fp: tuple) -> str:
    if not fp:
        return "no warehouse"
    parts = ("transactions", "accounts", "links", "balances")
    return "; ".join(f"{n}: {len(x)} (before {len(b)}, after {len(a)}; not in after: {sorted(set(x) - set(a))[:2]}, "
                     f"missing: {sorted(set(a) - set(x))[:2]})"
                     for n, x, b, a in zip(parts, fp, op.before, op.after) if x != a)


@dataclass
class Totals:
    faults: int = 0
    fired: int = 0
    lost: int = 0
    duplicated: int = 0
    check_failures: int = 0
    orphans: int = 0
    rerun_failures: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, v: Verdict) -> None:
        self.faults += 1
        self.fired += v.fired
        self.lost += v.state == "LOST"
        self.duplicated += v.duplicates
        self.check_failures += v.check_errors > 0
        self.orphans += len(v.orphans)
        self.rerun_failures += not v.rerun_ok
        self.states[v.state] = self.states.get(v.state, 0) + 1
