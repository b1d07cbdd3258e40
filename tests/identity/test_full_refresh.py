"""When every account is to be recomputed (a rebuild, a first load into an empty warehouse,
``Warehouse.recompute_derived``), ``loads/10e_refresh_all.sql`` computes the identity results in one
set-based pass over core.transactions and the sightings, with no copy of the rows (issue 13). Its tables
must be exactly those the per-group path (``loads/11_refresh_derived.sql`` over copies of every group)
gives: on the random histories of test_incremental_refresh.py, and on a rebuild of the simulators' demo."""
from __future__ import annotations

import dataclasses

import pytest

from pipeline.datadir import DataDir
from pipeline.rebuild import rebuild
from warehouse import db as wdb

from .test_incremental_refresh import DERIVED, _derived, _history, table_differences


def one_pass_against_groups(dd: DataDir) -> tuple[dict[str, tuple[list, list]], dict[str, int]]:
    """What the one pass gives that the per-group path does not (and the reverse), per table, and the row
    counts of the tables (the comparison is not between empty tables)."""
    with dd.open_warehouse() as wh:
        wh.recompute_derived(by_groups=True)
        groups = _derived(wh)
        assert wh.fetch("refresh_waiting.sql")[0][0] is False
        wh.recompute_derived()
        one = _derived(wh)
    return table_differences(one, groups), {name: len(rows) for name, rows in one.items()}


PENDING_FAULT = ("rule_pending_links('core.transactions', 'core.transaction_sightings')",
                 "rule_pending_links('core.transactions', 'core.scope_sightings')")
MATCH_FAULT = ("rule_statement_matches('core.transactions', 'core.int_statement_lines')",
               "rule_statement_matches('core.transactions', 'core.scope_statement_lines')")


def _faulty_one_pass(monkeypatch, fault_: tuple[str, str]) -> None:
    """The one pass reading, for one rule, a copy that is empty outside a refresh (the pending rows'
    sightings; the statement lines): a pass that forgets part of what the rules read."""
    def fault(step: wdb.LoadStep) -> wdb.LoadStep:
        if step.name != "10e_refresh_all.sql":
            return step
        text = step.text.replace(*fault_)
        assert text != step.text
        return dataclasses.replace(step, text=text)
    steps = tuple(fault(s) for s in wdb.load_steps())
    monkeypatch.setattr(wdb, "load_steps", lambda: steps)


@pytest.mark.parametrize("seed", range(12))
def test_the_one_pass_gives_what_the_group_path_gives(tmp_path, seed):
    dd = DataDir(tmp_path)
    _history(dd, seed, lambda: None)
    diff, counts = one_pass_against_groups(dd)
    assert diff == {}
    assert counts["core.ledger"] > 0


def test_the_histories_reach_every_table():
    import tempfile
    from pathlib import Path

    total = dict.fromkeys(DERIVED, 0)
    for seed in range(12):
        with tempfile.TemporaryDirectory() as tmp:
            dd = DataDir(Path(tmp))
            _history(dd, seed, lambda: None)
            for name, n in one_pass_against_groups(dd)[1].items():
                total[name] += n
    assert all(total.values()), total


def test_the_comparison_fails_when_the_one_pass_reads_too_little(tmp_path, monkeypatch):
    _faulty_one_pass(monkeypatch, PENDING_FAULT)
    fired = []
    for seed in range(12):
        dd = DataDir(tmp_path / str(seed))
        _history(dd, seed, lambda: None)
        if one_pass_against_groups(dd)[0]:
            fired.append(seed)
            break
    assert fired


def _without(monkeypatch, name: str) -> None:
    steps = tuple(s for s in wdb.load_steps() if s.name != name)
    monkeypatch.setattr(wdb, "load_steps", lambda: steps)


@pytest.fixture(scope="module")
def demo_rebuilt(tmp_path_factory) -> DataDir:
    from tests.outputs.ledger import build_demo

    with pytest.MonkeyPatch.context() as mp:
        dd = build_demo(tmp_path_factory.mktemp("full-refresh-demo"), mp)
    rebuild(dd)
    return dd


def test_a_rebuild_of_the_demo_gives_what_the_group_path_gives(demo_rebuilt):
    diff, counts = one_pass_against_groups(demo_rebuilt)
    assert diff == {}
    assert counts["core.ledger"] > 0 and counts["core.statement_matches"] > 0 and counts["core.pending_state"] > 0


def test_a_rebuild_takes_the_one_pass(demo_rebuilt, tmp_path, monkeypatch):
    """Without the per-group file, a rebuild still leaves every result (the one pass made them); without
    the one pass, the group path alone gives the same tables."""
    with demo_rebuilt.open_warehouse(read_only=True) as wh:
        expected = _derived(wh)
    for left_out in ("11_refresh_derived.sql", "10e_refresh_all.sql"):
        with monkeypatch.context() as mp:
            _without(mp, left_out)
            rebuild(demo_rebuilt)
            with demo_rebuilt.open_warehouse(read_only=True) as wh:
                assert _derived(wh) == expected, left_out


def test_the_demo_comparison_fails_with_a_faulty_one_pass(demo_rebuilt, monkeypatch):
    with monkeypatch.context() as mp:
        _faulty_one_pass(mp, MATCH_FAULT)
        diff, _counts = one_pass_against_groups(demo_rebuilt)
    assert "core.statement_matches" in diff
