"""Raw -> lake -> warehouse for landed payloads.

``to_lake`` parses one landed payload with its bank's pure parser and writes its lake files (skipped
when the lake already has them: a payload is parsed once). ``load`` loads a set of payloads of one
connection into the warehouse in one transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from connectors.artifact import RawArtifact
from connectors.errors import ParseError
from connectors.records import ParsedBatch
from connectors.registry import get_spec
from pipeline.datadir import DataDir
from pipeline.memory import release, system_pool
from pipeline.normalize import normalize, normalize_batches, normalize_many
from connectors.lake_schemas import SCHEMAS
from warehouse.db import LoadResult, Warehouse

#: every lake entity a load reads
LAKE_ENTITIES = tuple(SCHEMAS)
#: payloads larger than this are parsed in batches when their bank can (~6,000 CSV rows): a sync's
#: payloads stay on the one-batch path, a user's multi-year export streams
STREAM_BYTES = 1 << 20


def parse_artifact(dd: DataDir, art: RawArtifact, path: Path) -> ParsedBatch:
    """One landed payload through its bank's pure parser; any failure is a ParseError naming the file."""
    meta = art.meta
    if meta.kind == "pdf":
        from connectors import statements

        statements.use_cache(dd.root / "cache" / "statements")
    try:
        return get_spec(meta.bank).parse(art.body, meta)
    except ParseError:
        raise
    except Exception as exc:  # a parser bug must still name the file
        raise ParseError(f"{type(exc).__name__}: {exc}", file=str(path),
                         remedy="this looks like a bankflow parser bug; please report it with the file") from exc


def to_lake(dd: DataDir, path: Path) -> tuple[str, str, str]:
    """Parse a landed payload into the lake. Returns (bank, connection, sha256). A payload of a bank that
    parses in batches (``ConnectorSpec.parse_chunks``) and is larger than :data:`STREAM_BYTES` is streamed:
    memory stays flat whatever its size (a user's 500k-row CSV export)."""
    meta = dd.raw.read_meta(path)
    if not dd.lake.has(meta.bank, meta.sha256):
        spec = get_spec(meta.bank)
        if spec.parse_chunks is not None and meta.size > STREAM_BYTES:
            with system_pool(), path.open("rb") as f:  # read as parsed: never all the bytes in memory
                batches = _guarded(spec.parse_chunks(f, meta), path)
                tables = normalize_batches(batches, meta, unique_ids=spec.unique_txn_ids)
                dd.lake.write(meta, path, {e: _releasing(t) if not isinstance(t, pa.Table) else t
                                           for e, t in tables.items()})
            release()
        else:
            art = dd.raw.read(path)
            batch = parse_artifact(dd, art, path)
            dd.lake.write(meta, path, normalize(batch, meta, unique_ids=spec.unique_txn_ids))
    return meta.bank, meta.connection, meta.sha256


def to_lake_many(dd: DataDir, paths: Sequence[Path]) -> list[BaseException | None]:
    """:func:`to_lake` for several landed payloads, normalized together: one pass of the column-wise
    normalize over all of them costs about what one payload's costs (a sync's 40 payloads: 0.07 s
    against 0.6 s one by one). Each payload still gets its own lake files, exactly those :func:`to_lake`
    writes. Returns, per path, None or the exception that payload raised (a payload that fails to parse
    does not hold the others back; its error names its file, as :func:`to_lake`'s)."""
    errors: dict[Path, BaseException | None] = dict.fromkeys(paths)
    todo: list[tuple[Path, RawArtifact, ParsedBatch, bool]] = []
    seen: set[tuple[str, str]] = set()
    for path in dict.fromkeys(paths):
        try:
            meta = dd.raw.read_meta(path)
            spec = get_spec(meta.bank)
            if (meta.bank, meta.sha256) in seen or dd.lake.has(meta.bank, meta.sha256):
                continue  # the same bytes twice in the batch, or parsed before: parsed once
            if spec.parse_chunks is not None and meta.size > STREAM_BYTES:
                to_lake(dd, path)  # streamed: memory stays flat
                continue
            art = dd.raw.read(path)
            todo.append((path, art, parse_artifact(dd, art, path), spec.unique_txn_ids))
            seen.add((meta.bank, meta.sha256))
        except Exception as exc:
            errors[path] = exc
    if not todo:
        return list(errors.values())
    try:
        tables = normalize_many([(art.meta, batch, unique) for _p, art, batch, unique in todo])
    except Exception:  # a normalize bug: find whose payload it is, one by one
        for path, _art, _b, _u in todo:
            try:
                to_lake(dd, path)
            except Exception as exc:
                errors[path] = exc
        return list(errors.values())
    for (path, art, _b, _u), rows in zip(todo, _split(tables, [art.meta.sha256 for _p, art, _b, _u in todo]),
                                         strict=True):
        try:
            dd.lake.write(art.meta, path, rows)
        except Exception as exc:
            errors[path] = exc
    return list(errors.values())


def _split(tables: dict[str, pa.Table], shas: list[str]) -> Iterator[dict[str, pa.Table]]:
    """Each payload's rows of every entity (in their order), by their ``raw_sha256``."""
    index = {e: _positions(t) for e, t in tables.items()}
    for sha in shas:
        yield {e: t.take(pa.array(index[e].get(sha, []), pa.int64())) for e, t in tables.items()}


def _positions(table: pa.Table) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, sha in enumerate(table["raw_sha256"].to_pylist()):
        out.setdefault(sha, []).append(i)
    return out


def _releasing(tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """The tables, handing the memory freed by each one back to the system (see :mod:`pipeline.memory`)."""
    for t in tables:
        yield t
        release()


def _guarded(batches: Iterator[ParsedBatch], path: Path) -> Iterator[ParsedBatch]:
    """The batches of a streamed parse; any failure is a ParseError naming the file (as parse_artifact).
    The memory each batch freed is handed back to the system every few batches."""
    try:
        for i, batch in enumerate(batches, 1):
            yield batch
            if i % 5 == 0:
                release()
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(f"{type(exc).__name__}: {exc}", file=str(path),
                         remedy="this looks like a bankflow parser bug; please report it with the file") from exc


def load(dd: DataDir, wh: Warehouse, bank: str, shas: Iterable[str]) -> LoadResult:
    """Load the lake files of ``shas`` (one bank) in one warehouse transaction."""
    return load_many(dd, wh, [(bank, s) for s in shas])


def load_many(dd: DataDir, wh: Warehouse, items: Iterable[tuple[str, str]]) -> LoadResult:
    """Load the lake files of several (bank, sha256) payloads in one warehouse transaction."""
    by_bank: dict[str, list[str]] = {}
    for bank, sha in sorted(set(items)):
        by_bank.setdefault(bank, []).append(sha)
    if not by_bank:
        return LoadResult()
    lake = dd.lake

    def files(entity: str) -> list[str]:
        return [f for bank, shas in by_bank.items() for f in lake.files(entity, bank, shas)]

    return wh.load({e: files(e) for e in LAKE_ENTITIES})


def pending_shas(dd: DataDir, wh: Warehouse, bank: str, connection: str) -> list[Path]:
    """Landed payloads of a connection that the warehouse has not loaded yet (e.g. after a crash)."""
    loaded = wh.loaded_shas(bank, connection)
    return [p for p in dd.raw.iter_paths(bank, connection) if p.name.split(".", 1)[0] not in loaded]
