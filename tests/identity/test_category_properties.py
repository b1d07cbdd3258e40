"""Incremental equals rebuild for the categories too (issue 17): whatever the order of loads and when
``bankflow categorize`` trained the model, the loads that follow apply the saved model to the rows they
add, so ``bankflow rebuild`` gives every row the same category and category_source."""
from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from datetime import timedelta as td
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from connectors.registry import all_specs
from pipeline.datadir import DataDir
from pipeline.edits import add_rule, refresh, refresh_after_load
from pipeline.ingest import load_many
from pipeline.rebuild import rebuild
from transforms import learn

from .helpers import T0, load_all, parse_snapshot, row, snapshot

# default-rule labels (the model's training data) and labels no rule knows (the model's work)
KNOWN = ["PRLV SEPA EDF CLIENTS", "CARTE 12/11 MONOPRIX PARIS", "CARTE 03/11 FRANPRIX LYON", "PRLV SEPA FREE MOBILE",
         "CARTE 05/11 SNCF INTERNET", "PRLV SEPA MACIF", "RETRAIT DAB 12/11 PARIS", "CARTE 07/11 PHARMACIE DU MARCHE"]
UNKNOWN = ["PRLV SEPA FREE MOBILX", "CARTE 05/11 SNCFX INTERNET", "CARTE 15/11 FRANPRIX 2", "CARTE ZORGLUB 44"]

payload = st.lists(st.tuples(st.integers(1, 28), st.sampled_from(["-3.50", "-42.00", "-60.10"]),
                             st.sampled_from(KNOWN + UNKNOWN)), min_size=1, max_size=6)


def _state(dd: DataDir) -> list[tuple]:
    with dd.open_warehouse(read_only=True) as wh:
        return sorted(wh.query("SELECT txn_id, category, category_source FROM marts.transactions").fetchall())


def _sources(dd: DataDir) -> set[str]:
    return {s for _t, _c, s in _state(dd)}


@pytest.mark.skipif(not learn.available(), reason="the learned fallback needs scikit-learn (the ml extra)")
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # shrinking takes minutes here
@given(before=st.lists(payload, min_size=1, max_size=3), after=st.lists(payload, min_size=1, max_size=3),
       user_rule=st.booleans())
def test_incremental_categories_equal_rebuild(before, after, user_rule):
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(all_specs(), "boursorama", dataclasses.replace(all_specs()["boursorama"], parse=parse_snapshot))
        with tempfile.TemporaryDirectory() as tmp:
            dd = DataDir(Path(tmp))
            # a history the model can learn from: every known label a few times
            base = [row(d, "-10.00", lab, account="A0") for d in (1, 2, 3) for lab in KNOWN]
            load_all(dd, [snapshot(dd, base, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), at=T0,
                                   account="A0")])
            for k, rows in enumerate(before):
                _load(dd, rows, k + 1)
            with dd.open_warehouse() as wh:  # `bankflow categorize`: trains and saves the model
                res = refresh(dd.root, wh, threshold=0.0)
            assert res.model_status == "trained"
            if user_rule:
                add_rule(dd.root, "Loisirs", label="ZORGLUB")
            for k, rows in enumerate(after):
                _load(dd, rows, 10 + k)
            incremental = _state(dd)
            rebuild(dd)
            assert _state(dd) == incremental


def _load(dd: DataDir, rows, k: int) -> None:
    """One payload loaded as a sync or an import loads it: load, then the categories refresh."""
    txns = [row(day, amount, label, account="A1") for day, amount, label in rows]
    item = snapshot(dd, txns, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 28), at=T0 + td(days=k),
                    account="A1")
    with dd.open_warehouse() as wh:
        load_many(dd, wh, [item])
        refresh_after_load(dd.root, wh)


@pytest.mark.skipif(not learn.available(), reason="the learned fallback needs scikit-learn (the ml extra)")
def test_rows_a_load_adds_after_categorize_get_the_models_answers(tmp_path, monkeypatch):
    """The property can fail: with a model trained, a new unknown row gets a 'model' category at load."""
    monkeypatch.setitem(all_specs(), "boursorama", dataclasses.replace(all_specs()["boursorama"], parse=parse_snapshot))
    dd = DataDir(tmp_path)
    base = [row(d, "-10.00", lab, account="A0") for d in (1, 2, 3) for lab in KNOWN]
    load_all(dd, [snapshot(dd, base, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), at=T0, account="A0")])
    assert "model" not in _sources(dd)           # before any categorize, no path applies a model
    with dd.open_warehouse() as wh:
        refresh(dd.root, wh, threshold=0.0)
    _load(dd, [(14, "-42.00", "PRLV SEPA FREE MOBILX"), (15, "-42.00", "CARTE 05/11 SNCFX INTERNET")], 1)
    assert "model" in _sources(dd)
