"""A demo ledger for the report and export tests: one sync of every bank simulator (short histories,
statements fetched too, the bank's "today" pinned), the checks run once, as a scheduled sync leaves it."""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

from pipeline.config import parse_config
from pipeline.runner import fetch_all, load_outcomes
from pipeline.sandbox import SandboxSet
from pipeline.datadir import DataDir

TODAY = dt.date(2026, 11, 24)


def build_demo(root: Path, monkeypatch) -> DataDir:
    """Sync the simulators into ``root`` (run id ``r1``), then run the warehouse checks once."""
    dd = DataDir(root)
    knobs = {"boursorama": {"months": 8, "statement_months": 4, "today": TODAY}}
    with SandboxSet(knobs=knobs, common={"seed": 7}) as sims:
        text, env = sims.config(env_prefix="BF_OUTPUTS")
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        cfg = parse_config(tomllib.loads(text))
        conns = [dataclasses.replace(c, options={**c.options, "statements": "always"}) for c in cfg.connections]
        outcomes = load_outcomes(dd, asyncio.run(fetch_all(conns, dd, {})), "r1")
        assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    with dd.open_warehouse() as wh:
        wh.run_checks()
    return dd
