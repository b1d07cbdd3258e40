"""normalize_many over many payloads at once (a rebuild's part) gives each row exactly what normalizing its
payload alone gives: the same lineage (its own payload's sha, window, row number), keys and categories."""
from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from connectors.records import ParsedBatch
from pipeline import normalize as n
from tests.bench_data import synth
from transforms.describe_bulk import DescribeMemo


def items() -> list[n.Item]:
    gen = synth()
    batches = gen.payloads(gen.generate(12_000, seed=5))[:120]
    out = [(m, b, False) for m, b in batches]
    meta, batch = out[3][:2]
    out.insert(4, (dataclasses.replace(meta, sha256="0" * 64), ParsedBatch(window_start=batch.window_start), False))
    # a bank whose ids are unique: some rows carry an id, the others keep the content key
    meta, batch = out[7][:2]
    txs = [dataclasses.replace(t, bank_txn_id=f"id-{i}" if i % 3 else None) for i, t in enumerate(batch.transactions)]
    out[7] = (meta, dataclasses.replace(batch, transactions=txs), True)
    return out


def test_many_payloads_equal_each_alone() -> None:
    its = items()
    alone = pa.concat_tables([n.normalize(b, m, unique_ids=u)["transactions"] for m, b, u in its])
    memo = DescribeMemo()
    together = pa.concat_tables([n.normalize_many(its[:50], memo)["transactions"],
                                 n.normalize_many(its[50:], memo)["transactions"]])
    assert together.num_rows > 5000 and together.schema == alone.schema
    for name in together.column_names:
        assert together[name].equals(alone[name]), name
    # independent of both: row numbers restart per payload, each row carries its own payload's sha
    want_rows = [(m.sha256, i) for m, b, _u in its for i in range(len(b.transactions))]
    assert list(zip(together["raw_sha256"].to_pylist(), together["row_number"].to_pylist())) == want_rows
    assert together["source_key"].to_pylist().count("id:id-1") == 1


def test_a_misaligned_lineage_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row numbers counted across payloads instead of per payload: the comparison must see it."""
    its = items()[:6]
    real = n.normalize_many

    def shifted(items_, memo=None):
        out = real(items_, memo)
        t = out["transactions"]
        i = t.schema.get_field_index("row_number")
        out["transactions"] = t.set_column(i, t.schema.field(i), pa.array(range(t.num_rows), pa.int32()))
        return out

    alone = pa.concat_tables([n.normalize(b, m, unique_ids=u)["transactions"] for m, b, u in its])
    monkeypatch.setattr(n, "normalize_many", shifted)
    assert not n.normalize_many(its)["transactions"]["row_number"].equals(alone["row_number"])
