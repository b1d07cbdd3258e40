"""A sync parses its payloads off the event loop, several at a time (``pipeline.runner.LakeBatcher`` ->
``pipeline.ingest.to_lake_many``, issue 13): the lake must hold exactly what parsing each payload alone
writes, and a payload that fails to parse fails alone, named."""
from __future__ import annotations

import asyncio
import shutil
import tomllib

import pyarrow.parquet as pq
import pytest

from connectors.artifact import make_artifact
from connectors.errors import ParseError
from connectors.lake_schemas import SCHEMAS
from pipeline import ingest
from pipeline.config import parse_config
from pipeline.datadir import DataDir
from pipeline.ingest import to_lake, to_lake_many
from pipeline.runner import fetch_all
from pipeline.sandbox import SandboxSet

BANKS = ("budgea", "lcl", "boursorama")


def _fetch(bank: str, dd: DataDir, monkeypatch) -> None:
    with SandboxSet([bank], common={"seed": 3}) as sims:
        text, env = sims.config(env_prefix="BF_BATCH")
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        conns = parse_config(tomllib.loads(text)).connections
        outcomes = asyncio.run(fetch_all(conns, dd, {}))
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]


def _lake(dd: DataDir) -> dict[str, list[dict]]:
    """Every lake file's rows (in file order), by its path under lake/; the artifacts rows without the
    raw path (the two data dirs differ there)."""
    out = {}
    for f in sorted(dd.lake.root.rglob("*.parquet")):
        rows = pq.read_table(f).to_pylist()
        for r in rows:
            r.pop("raw_path", None)
        out[str(f.relative_to(dd.lake.root))] = rows
    return out


@pytest.mark.parametrize("bank", BANKS)
def test_a_sync_lakes_each_payload_as_parsing_it_alone_does(bank, tmp_path, monkeypatch):
    batches: list[int] = []
    real = ingest.to_lake_many

    def counting(dd, paths):
        batches.append(len(paths))
        return real(dd, paths)
    monkeypatch.setattr("pipeline.runner.to_lake_many", counting)
    synced = DataDir(tmp_path / "synced")
    _fetch(bank, synced, monkeypatch)
    assert max(batches) > 1, batches            # payloads were parsed together, not only one by one
    alone = DataDir(tmp_path / "alone")         # the same landed payloads, each parsed on its own
    shutil.copytree(synced.root / "raw", alone.root / "raw")
    for path in alone.raw.iter_paths():
        to_lake(alone, path)
    got, want = _lake(synced), _lake(alone)
    assert sum(len(v) for k, v in want.items() if k.startswith("transactions/")) > 0
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name


def test_a_payload_that_fails_to_parse_fails_alone_and_is_named(tmp_path, monkeypatch):
    dd = DataDir(tmp_path)
    _fetch("budgea", dd, monkeypatch)
    good = list(dd.raw.iter_paths())
    shutil.rmtree(dd.lake.root)                 # parse them again, now beside a broken one
    dd.lake = type(dd.lake)(dd.lake.root)
    bad_art = make_artifact(b"{not json", bank="budgea", connection="budgea-u0-perso", kind="json",
                            resource="transactions", account_ref="1")
    bad, _new = dd.raw.land(bad_art)
    errors = to_lake_many(dd, [good[0], bad, *good[1:]])
    assert errors[0] is None and all(e is None for e in errors[2:])
    assert isinstance(errors[1], ParseError) and bad_art.meta.sha256 in str(errors[1])  # as to_lake names it
    assert all(dd.lake.has("budgea", dd.raw.read_meta(p).sha256) for p in good)
    assert not dd.lake.has("budgea", bad_art.meta.sha256)
    assert set(SCHEMAS) >= {p.name for p in dd.lake.root.iterdir() if p.is_dir() and p.name != "_parts"}
