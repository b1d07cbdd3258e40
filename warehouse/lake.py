"""The Parquet lake: Parquet files per entity, with lineage columns on every row.

* ``<data>/lake/<entity>/bank=<bank>/<sha256>.parquet``: one file per raw artifact (what a sync or an
  import writes: docs/design.md §1).
* ``<data>/lake/<entity>/bank=<bank>/part-<id>.parquet``: one file holding many artifacts (what
  ``bankflow rebuild`` writes: tens of thousands of small files cost ~100x more to write and to scan than
  the same rows in a few files). The ``raw_sha256`` column tells the artifacts apart, and the part's
  manifest ``<data>/lake/_parts/bank=<bank>/part-<id>.txt`` (written last: its presence marks the part
  complete) lists them, so :meth:`Lake.has` and :meth:`Lake.files` answer per artifact either way.

An ``artifacts`` entity gets one row per raw artifact (even one that yields no records), so "this payload
was parsed" is recorded in the lake itself. Money columns are ``decimal128(18, 2)``.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.artifact import ArtifactMeta
from connectors.lake_schemas import SCHEMAS

#: a table with fewer rows is written without compression nor dictionaries: a daily sync's payloads hold a
#: few rows each, and their files cost ~2.3 ms each with zstd against ~1.3 ms plain (issue 13; a few KB
#: more on disk)
SMALL_TABLE = 100
#: an entity's rows: a table, row dicts, or (a large payload) an iterator of tables written as row groups
Rows = pa.Table | list[dict[str, Any]] | Iterator[pa.Table]


def _table(entity: str, rows: Rows) -> pa.Table:
    if isinstance(rows, pa.Table):
        return rows if rows.schema.equals(SCHEMAS[entity]) else rows.select(SCHEMAS[entity].names).cast(SCHEMAS[entity])
    return pa.Table.from_pylist(rows, schema=SCHEMAS[entity])


def artifact_row(meta: ArtifactMeta, raw_path: Path, rows: int) -> dict[str, Any]:
    return {"bank": meta.bank, "connection": meta.connection, "raw_sha256": meta.sha256,
            "raw_path": str(raw_path), "kind": meta.kind, "resource": meta.resource,
            "account_ref": meta.account_ref, "fetched_at": meta.fetched_at,
            "window_start": meta.window_start, "window_end": meta.window_end,
            "request_path": meta.request_path, "http_status": meta.http_status,
            "source_name": meta.source_name, "rows": rows}


class Lake:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._parts: dict[str, dict[str, str]] | None = None  # bank -> sha256 -> part id (lazy)

    def path(self, entity: str, bank: str, name: str) -> Path:
        """The file of one artifact (``name`` = its sha256) or of one part (``name`` = ``part-<id>``)."""
        return self.root / entity / f"bank={bank}" / f"{name}.parquet"

    def has(self, bank: str, sha256: str) -> bool:
        return self.path("artifacts", bank, sha256).exists() or sha256 in self._part_index().get(bank, {})

    def write(self, meta: ArtifactMeta, raw_path: Path, rows: Mapping[str, Rows]) -> dict[str, Path]:
        """Write one artifact's non-empty entities, then its artifacts row last (its presence marks
        completion)."""
        written: dict[str, Path] = {}
        n = 0
        for entity, entity_rows in rows.items():
            if not isinstance(entity_rows, (pa.Table, list)):  # an iterator of tables: one row group each
                k = self._write_groups(self.path(entity, meta.bank, meta.sha256), entity, entity_rows)
                n += k
                if k:
                    written[entity] = self.path(entity, meta.bank, meta.sha256)
                continue
            table = _table(entity, entity_rows)
            n += table.num_rows
            if table.num_rows:
                written[entity] = self._write(self.path(entity, meta.bank, meta.sha256), table)
        art = _table("artifacts", [artifact_row(meta, raw_path, n)])
        written["artifacts"] = self._write(self.path("artifacts", meta.bank, meta.sha256), art)
        return written

    def write_part(self, bank: str, members: Sequence[tuple[ArtifactMeta, Path]],
                   tables: Mapping[str, Rows]) -> str:
        """Write the rows of many artifacts of one bank as one file per entity; returns the part id.
        ``tables`` rows carry their artifact in ``raw_sha256``. The manifest is written last."""
        shas = sorted(m.sha256 for m, _p in members)
        part = "part-" + hashlib.sha256("\n".join(shas).encode()).hexdigest()[:16]
        counts: dict[str, int] = dict.fromkeys(shas, 0)
        for entity, rows in tables.items():
            table = _table(entity, rows)
            if table.num_rows:
                for sha, k in _counts(table):
                    counts[sha] = counts.get(sha, 0) + k
                self._write(self.path(entity, bank, part), table)
        art = _table("artifacts", [artifact_row(m, p, counts.get(m.sha256, 0)) for m, p in members])
        self._write(self.path("artifacts", bank, part), art)
        manifest = self.root / "_parts" / f"bank={bank}" / f"{part}.txt"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest.with_name(f".tmp-{os.getpid()}-{manifest.name}")
        tmp.write_text("\n".join(shas) + "\n", "utf-8")
        os.replace(tmp, manifest)
        if self._parts is not None:
            self._parts.setdefault(bank, {}).update(dict.fromkeys(shas, part))
        return part

    def _part_index(self) -> dict[str, dict[str, str]]:
        if self._parts is None:
            self._parts = {}
            base = self.root / "_parts"
            if base.is_dir():
                for d in base.iterdir():
                    if d.is_dir() and d.name.startswith("bank="):
                        idx = self._parts.setdefault(d.name[5:], {})
                        for f in d.glob("part-*.txt"):
                            idx.update(dict.fromkeys(f.read_text("utf-8").split(), f.stem))
        return self._parts

    def _write(self, path: Path, table: pa.Table) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        if table.num_rows < SMALL_TABLE:  # the same rows; setting up ~30 column encoders is most of the cost
            pq.write_table(table, tmp, compression="none", use_dictionary=False)
        else:
            pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        return path

    def _write_groups(self, path: Path, entity: str, tables: Iterable[pa.Table]) -> int:
        """Write ``tables`` as the row groups of one Parquet file (a large payload, never all in memory);
        returns the rows written. No file when there are none; no partial file on a failure."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        n = 0
        writer: pq.ParquetWriter | None = None
        try:
            for rows in tables:
                table = _table(entity, rows)
                if not table.num_rows:
                    continue
                if writer is None:
                    writer = pq.ParquetWriter(tmp, SCHEMAS[entity], compression="zstd")
                writer.write_table(table)
                n += table.num_rows
            if writer is not None:
                writer.close()
                writer = None
                os.replace(tmp, path)
            return n
        finally:
            if writer is not None:
                writer.close()
            tmp.unlink(missing_ok=True)

    def files(self, entity: str, bank: str, shas: Iterable[str]) -> list[str]:
        """The files holding these artifacts' rows of ``entity`` (a part file once, however many of its
        artifacts are asked for). An artifact is in a part or in its own file, never both: ``to_lake``
        skips what a part holds, and a rebuild starts from an empty lake."""
        parts = self._part_index().get(bank, {})
        seen: dict[str, bool] = {}
        for name in dict.fromkeys(parts.get(s, s) for s in shas):  # a path per file, not per artifact
            p = str(self.path(entity, bank, name))
            seen[p] = os.path.exists(p)
        return [p for p, ok in seen.items() if ok]


def _counts(table: pa.Table) -> list[tuple[str, int]]:
    """Rows per artifact in a part table."""
    g = table.group_by("raw_sha256").aggregate([("raw_sha256", "count")])
    return list(zip(g["raw_sha256"].to_pylist(), g["raw_sha256_count"].to_pylist(), strict=True))
