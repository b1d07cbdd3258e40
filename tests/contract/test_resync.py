"""A sync that finds nothing new asks the bank only what it needs to know that (issue 13, item 3): the
statements landed earlier are not downloaded again, and nothing new is landed or loaded."""
from __future__ import annotations

import asyncio
import json
import tomllib

import pytest

from connectors.registry import all_specs
from pipeline.config import parse_config
from pipeline.datadir import DataDir
from pipeline.runner import fetch_all, load_outcomes, sync_states
from pipeline.sandbox import SandboxSet

BANKS = sorted(b for b, s in all_specs().items() if s.start_sandbox is not None)


def sync(sims: SandboxSet, dd: DataDir, monkeypatch, run_id: str):
    """One scheduled sync as the flow runs it: the cursor from the warehouse, then fetch and load."""
    text, env = sims.config(env_prefix="BF_RESYNC")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    conns = parse_config(tomllib.loads(text)).connections
    states = sync_states(dd, conns) if dd.warehouse_path.exists() else {}
    outcomes = load_outcomes(dd, asyncio.run(fetch_all(conns, dd, states)), run_id)
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    return outcomes


def landed(dd: DataDir) -> dict[str, str]:
    """Every landed payload's file name -> its resource."""
    return {p.name: json.loads(dd.raw.meta_path(p).read_text("utf-8"))["resource"] for p in dd.raw.iter_paths()}


def warehouse_state(dd: DataDir) -> tuple:
    with dd.open_warehouse(read_only=True) as wh:
        return (wh.query("SELECT count(*), sum(amount), sum(hash(txn_id, pending, booking_date)) "
                         "FROM core.transactions").fetchone(),
                wh.query("SELECT count(*) FROM core.raw_files").fetchone(),
                wh.query("SELECT count(*) FROM core.transaction_sightings").fetchone())


@pytest.mark.parametrize("bank", BANKS)
def test_syncs_that_find_nothing_new_land_nothing_and_download_no_document_again(bank, tmp_path, monkeypatch):
    dd = DataDir(tmp_path)
    with SandboxSet([bank], common={"seed": 7}) as sims:
        first = sync(sims, dd, monkeypatch, "r1")
        after_first = landed(dd)
        assert sum(o.artifacts_new for o in first) > 0
        second = sync(sims, dd, monkeypatch, "r2")
        after_second = landed(dd)
        # no document (statement, statement list) is landed twice: the second run skipped them
        new = {n: r for n, r in after_second.items() if n not in after_first}
        assert not {r for r in new.values() if r.startswith("statement")}, new
        assert sum(o.rows_inserted for o in second) == 0
        before = warehouse_state(dd)
        third = sync(sims, dd, monkeypatch, "r3")
        assert sum(o.artifacts_new for o in third) == 0, [(o.connection, o.artifacts_new) for o in third]
        assert landed(dd) == after_second
        assert warehouse_state(dd) == before
        assert sum(o.requests for o in third) < sum(o.requests for o in first)


def test_known_documents_come_from_the_raw_store_and_survive_a_lost_index(tmp_path, monkeypatch):
    """The runner reads what was landed from the raw store's index; without the index (a data dir from
    before it) the metadata files rebuild it, so the check cannot pass by an empty set."""
    dd = DataDir(tmp_path)
    with SandboxSet(["lcl"], common={"seed": 7}) as sims:
        sync(sims, dd, monkeypatch, "r1")
        conn = sims.connections[0]
        index = tmp_path / "raw" / "lcl" / conn.name / ".documents"
        assert index.exists()  # created by the first run, appended to by each landing
        known = dd.raw.documents("lcl", conn.name)
        assert sum(1 for r, _ in known if r == "statement") > 0
        assert sum(1 for r, _ in known if r == "statement_list") == 1
        index.unlink()
        assert dd.raw.documents("lcl", conn.name) == known
        assert index.exists()
