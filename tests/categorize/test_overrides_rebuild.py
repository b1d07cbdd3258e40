"""Overrides and user rules live outside the warehouse and survive `rebuild`; category_source on every row."""
from __future__ import annotations

import asyncio
import csv
import tomllib

import pytest
from typer.testing import CliRunner

from pipeline.config import parse_config
from pipeline.runner import fetch_all, load_outcomes
from pipeline.sandbox import SandboxSet
from transforms import learn
from pipeline.edits import add_override, add_rule, overrides_path, read_overrides, refresh
from pipeline.datadir import DataDir
from pipeline.rebuild import rebuild

SOURCES = {"override", "rule", "model", "bank", "none"}


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    dd = DataDir(tmp_path_factory.mktemp("cat"))
    mp = pytest.MonkeyPatch()
    with SandboxSet(["budgea"], common={"seed": 7}) as sims:
        text, env = sims.config(env_prefix="BF_CAT")
        for k, v in env.items():
            mp.setenv(k, v)
        cfg = parse_config(tomllib.loads(text))
        outcomes = load_outcomes(dd, asyncio.run(fetch_all(cfg.connections, dd, {})), "r1")
        assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    mp.undo()
    return dd


def categories(dd):
    with dd.open_warehouse(read_only=True) as wh:
        return {r[0]: (r[1], r[2], r[3]) for r in
                wh.query("SELECT txn_id, category, category_source, label_raw FROM marts.transactions").fetchall()}


def test_overrides_and_user_rules_survive_rebuild(synced):
    dd = synced
    with dd.open_warehouse() as wh:
        refresh(dd.root, wh)
    before = categories(dd)
    assert before and {s for _, s, _ in before.values()} <= SOURCES
    # an override on a row the default rules categorized, and a user rule for a merchant
    txn, (old_cat, src, _) = next((t, v) for t, v in sorted(before.items())
                                  if v[1] == "rule" and "FRANPRIX" not in v[2].upper())
    add_override(dd.root, txn, "Enfants et éducation")  # a taxonomy category (others are refused)
    add_rule(dd.root, "Courses de quartier", merchant="^FRANPRIX")
    with dd.open_warehouse() as wh:
        res = refresh(dd.root, wh)
    after = categories(dd)
    assert res.overrides == 1 and res.user_rule_rows > 0
    assert after[txn][:2] == ("Enfants et éducation", "override")
    franprix = {t for t, v in after.items() if "FRANPRIX" in v[2].upper() and t != txn}
    assert franprix and all(after[t][:2] == ("Courses de quartier", "rule") for t in franprix)

    rebuild(dd)
    with dd.open_warehouse() as wh:  # the lead's rebuild calls refresh; done here explicitly
        refresh(dd.root, wh)
    rebuilt = categories(dd)
    assert rebuilt == after

    # clearing the override gives the rule's category back
    add_override(dd.root, txn, None)
    with dd.open_warehouse() as wh:
        refresh(dd.root, wh)
    assert categories(dd)[txn][:2] == (old_cat, "rule")
    assert txn not in read_overrides(dd.root)


def test_category_source_on_every_row_and_model_only_where_no_rule(synced):
    dd = synced
    with dd.open_warehouse() as wh:
        res = refresh(dd.root, wh, threshold=0.0 if learn.available() else 0.5)
        rows = wh.query("SELECT m.category_source, t.category_source AS default_source, m.category "
                        "FROM marts.transactions m JOIN core.int_transactions t USING (txn_id)").fetchall()
    assert rows and all(r[0] in SOURCES for r in rows)
    assert all(r[2] is None for r in rows if r[0] == "none")
    if learn.available():
        assert res.model_status == "trained"
        assert all(r[1] != "rule" for r in rows if r[0] == "model")


def test_refresh_without_sklearn_keeps_working(synced, monkeypatch):
    monkeypatch.setattr(learn, "_sklearn", lambda: None)
    with synced.open_warehouse() as wh:
        res = refresh(synced.root, wh)
        n_model = wh.query("SELECT count(*) FROM marts.transactions WHERE category_source = 'model'").fetchone()[0]
    assert res.model_status == "no sklearn" and res.model_rows == 0 and n_model == 0


def test_cli_categorize(synced):
    from flows.cli import app

    dd = synced
    txn = next(iter(sorted(categories(dd))))
    runner = CliRunner()
    r = runner.invoke(app, ["categorize", txn, "Santé", "--data-dir", str(dd.root), "--no-model"])
    assert r.exit_code == 0, r.output
    assert categories(dd)[txn][:2] == ("Santé", "override")
    with overrides_path(dd.root).open(encoding="utf-8") as f:
        assert [row["category"] for row in csv.DictReader(f) if row["txn_id"] == txn][-1] == "Santé"
    r = runner.invoke(app, ["categorize", "no-such-txn", "Santé", "--data-dir", str(dd.root)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["categorize", "--merchant", "(", "X", "--data-dir", str(dd.root)])
    assert r.exit_code == 2 and "regular expression" in r.output
    r = runner.invoke(app, ["categorize", txn, "--clear", "--data-dir", str(dd.root), "--no-model"])
    assert r.exit_code == 0 and categories(dd)[txn][1] != "override"
