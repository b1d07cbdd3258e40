"""`bankflow rebuild` killed with SIGKILL at any moment leaves the old or the new warehouse, run history
included (issue 17): the new lake and writer file are built beside the old ones and swapped in once
complete; the next writer finishes or drops what a kill interrupted. A subprocess runs the rebuild and is
killed at each of its steps, and at seeded moments."""
from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from pipeline.config import parse_config
from pipeline.datadir import DataDir
from pipeline.edits import add_rule
from pipeline.runner import fetch_all, load_outcomes
from pipeline.sandbox import SandboxSet

REPO = Path(__file__).resolve().parents[2]
STEPS_BEFORE = ["started", "parsed", "loaded", "closed"]          # killed here: the old warehouse stays
STEPS_AFTER = ["complete", "swapped lake", "swapped writer.duckdb", "published"]  # the new one is finished

RUN = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from pipeline.datadir import DataDir
    from pipeline.rebuild import rebuild
    at = sys.argv[2]
    def step(name):
        if name == at:
            os.kill(os.getpid(), signal.SIGKILL)
    rebuild(DataDir(Path(sys.argv[1])), on_step=step)
""")


def _fingerprint(dd: DataDir) -> tuple:
    with dd.open_warehouse() as _wh:   # the next writer: recovers, then publishes if needed
        pass
    with dd.open_warehouse(read_only=True) as wh:
        marts = wh.query("SELECT count(*), sum(amount)::VARCHAR, count(*) FILTER (WHERE category = 'Tests kill') "
                         "FROM marts.transactions").fetchone()
        runs = wh.query("SELECT run_id, connection, status FROM ops.sync_runs ORDER BY ALL").fetchall()
    return marts, tuple(runs)


def _run(root: Path, at: str, *, kill_after: float | None = None) -> int:
    p = subprocess.Popen([sys.executable, "-c", RUN, str(root), at], env={**os.environ, "PYTHONPATH": str(REPO)},
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        try:
            p.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
    p.wait(timeout=300)
    return p.returncode


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """A data dir synced from the Budgea simulator, plus a user rule added since (not applied yet): the
    rebuild applies it, so the new warehouse differs from the old one."""
    dd = DataDir(tmp_path_factory.mktemp("kill") / "data")
    mp = pytest.MonkeyPatch()
    with SandboxSet(["budgea"], common={"seed": 5}) as sims:
        text, env = sims.config(env_prefix="BF_KILL")
        for k, v in env.items():
            mp.setenv(k, v)
        cfg = parse_config(tomllib.loads(text))
        outs = load_outcomes(dd, asyncio.run(fetch_all(cfg.connections, dd, {})), "before-rebuild")
        assert all(o.ok for o in outs)
    mp.undo()
    add_rule(dd.root, "Tests kill", label=".")
    return dd


@pytest.fixture(scope="module")
def old_and_new(synced, tmp_path_factory):
    old = _fingerprint(synced)
    copy = DataDir(tmp_path_factory.mktemp("new") / "data")
    shutil.copytree(synced.root, copy.root)
    t = time.monotonic()
    assert _run(copy.root, "never") == 0
    new = _fingerprint(copy)
    assert old != new and old[1] == new[1] and old[1]   # the rule changed categories; the history is kept
    return old, new, time.monotonic() - t


def _killed_copy(synced: DataDir, tmp_path: Path) -> DataDir:
    dd = DataDir(tmp_path / "data")
    shutil.copytree(synced.root, dd.root)
    return dd


@pytest.mark.parametrize("at", STEPS_BEFORE + STEPS_AFTER)
def test_kill_at_each_step_leaves_the_old_or_the_new_warehouse(synced, old_and_new, tmp_path, at):
    old, new, _t = old_and_new
    dd = _killed_copy(synced, tmp_path)
    assert _run(dd.root, at) == -signal.SIGKILL
    assert _fingerprint(dd) == (old if at in STEPS_BEFORE else new)
    assert not dd.rebuild_dir.exists() and dd.lake.root.exists()
    assert not list(dd.root.glob(".rebuild-old-*"))


def test_kill_at_seeded_moments(synced, old_and_new, tmp_path):
    old, new, seconds = old_and_new
    rnd = random.Random(17)
    for k in range(3):
        dd = _killed_copy(synced, tmp_path / str(k))
        _run(dd.root, "never", kill_after=rnd.uniform(0.2, seconds))
        assert _fingerprint(dd) in (old, new)
        assert not dd.rebuild_dir.exists()
