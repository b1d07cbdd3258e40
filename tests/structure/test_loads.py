"""``warehouse/loads/*.sql`` are discovered and say what they bind: every ``$param`` a load file uses is
declared in its header, and its ``when`` is a lake entity."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from connectors.lake_schemas import SCHEMAS
from warehouse.db import LoadStep, load_steps


def test_every_load_file_declares_what_it_binds() -> None:
    steps = load_steps()
    assert [s.name for s in steps] == sorted(s.name for s in steps) and len(steps) >= 10
    for step in steps:
        used = set(re.findall(r"\$(\w+)", step.text))
        declared = {name for name, _ in step.params}
        assert used == declared, f"{step.name}: uses {sorted(used)}, declares {sorted(declared)}"
        assert step.when is None or step.when in SCHEMAS, step.name
        assert all(src == "now" or src in SCHEMAS for _, src in step.params), step.name


def test_a_new_load_file_is_read_from_its_header() -> None:
    step = LoadStep.parse("10_new.sql", "-- when: balances\n-- params: f = balances, at = now\n"
                                        "-- what it does\nINSERT INTO x SELECT * FROM read_parquet($f), $at;\n")
    now = dt.datetime(2026, 1, 2)
    assert (step.when, step.reports) == ("balances", None)
    assert step.bind({"balances": ["a.parquet"]}, now) == {"f": ["a.parquet"], "at": now}


def test_an_undeclared_source_is_a_clear_error() -> None:
    step = LoadStep.parse("10_bad.sql", "-- params: f = balancez\nSELECT $f;\n")
    with pytest.raises(ValueError, match=r"loads/10_bad.sql: parameter f = balancez"):
        step.bind({"balances": []}, dt.datetime(2026, 1, 2))
