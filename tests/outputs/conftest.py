"""Fixtures of the report and export tests: the simulators' demo ledger (synced once per session) and
its report page."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.outputs.ledger import build_demo
from pipeline.datadir import DataDir

BUILT_AT = dt.datetime(2026, 12, 5, 8, 0)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> DataDir:
    with pytest.MonkeyPatch.context() as mp:
        return build_demo(tmp_path_factory.mktemp("outputs-demo"), mp)


@pytest.fixture(scope="session")
def demo_wh(demo):
    wh = demo.open_warehouse(read_only=True)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def demo_page(demo, demo_wh) -> Path:
    from outputs.report import build_report

    return build_report(demo_wh, demo.root / "report", built_at=BUILT_AT)
