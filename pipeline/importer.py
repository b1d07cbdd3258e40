"""``bankflow import FILE...`` and ``bankflow backfill DIR``: load files the user downloaded by hand (CSV
exports, PDF statements).

Each file is landed, parsed to the lake, then all good files are loaded in one transaction. A file
bankflow cannot read is refused with the parser's error (naming the file and the line, page or field)
and removed from the raw store again, so it leaves no trace. Importing the same file twice adds nothing.
PDF statements are parsed in worker processes (see :func:`pipeline.runner.parse_pool`).
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from connectors.artifact import make_artifact
from connectors.errors import BankflowError, ParseError
from connectors.registry import all_specs
from pipeline.runner import POOLED_KINDS, parse_pool
from pipeline.edits import refresh_after_load
from pipeline.datadir import DataDir
from pipeline.ingest import load, to_lake
from pipeline.memory import release

#: DuckDB's memory limit while loading imported files (issue 13: an import's memory stays flat)
LOAD_MEMORY = "150MB"
KIND_BY_SUFFIX = {".csv": "csv", ".pdf": "pdf", ".json": "json", ".html": "html", ".htm": "html"}


@dataclass
class ImportResult:
    file: str
    bank: str | None = None
    status: str = "ok"
    message: str = ""
    new: bool = False
    sha256: str | None = None
    rows_inserted: int = 0


def detect_bank(body: bytes, name: str, bank: str | None = None) -> str:
    specs = all_specs()
    if bank:
        if bank not in specs:
            raise ParseError(f"unknown bank {bank!r}; known: {', '.join(sorted(specs))}", file=name)
        return bank
    matches = [b for b, s in sorted(specs.items()) if s.sniff_import and s.sniff_import(body, name)]
    if not matches:
        accepted = ", ".join(b for b, s in sorted(specs.items()) if s.sniff_import) or "none"
        raise ParseError("not a file any bankflow bank recognises (banks that import files: "
                         f"{accepted})", file=name,
                         remedy="import an unmodified export or statement from your bank, or pass --bank")
    if len(matches) > 1:
        raise ParseError(f"several banks recognise this file ({', '.join(matches)})", file=name,
                         remedy="pass --bank to say which")
    return matches[0]


def land_file(dd: DataDir, f: Path, *, connection: str, bank: str | None) -> tuple[ImportResult, Path | None]:
    """Read, recognise and land one user file. Returns its result and landed path (None if refused)."""
    res = ImportResult(file=str(f))
    try:
        if not f.is_file():
            raise ParseError("no such file", file=str(f))
        body = f.read_bytes()
        kind = KIND_BY_SUFFIX.get(f.suffix.lower())
        if kind is None:
            raise ParseError(f"unsupported file type {f.suffix or '(none)'}; expected .csv or .pdf", file=str(f))
        res.bank = detect_bank(body, f.name, bank)
        art = make_artifact(body, bank=res.bank, connection=connection, kind=kind,  # type: ignore[arg-type]
                            resource="statement" if kind == "pdf" else "transactions", source_name=f.name)
        path, res.new = dd.raw.land(art)
        res.sha256 = art.meta.sha256
        return res, path
    except BankflowError as exc:
        res.status, res.message = exc.outcome, exc.describe()
        return res, None


def import_files(dd: DataDir, files: list[Path], *, connection: str = "import", bank: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[ImportResult]:
    results: list[ImportResult] = []
    jobs: list[tuple[ImportResult, Path, Future | None]] = []
    for f in files:
        res, path = land_file(dd, f, connection=connection, bank=bank)
        release()  # the file's bytes read for landing (a 500k-row export: 80 MB) go back before the parse
        results.append(res)
        if path is None:
            continue
        fut = parse_pool().submit(to_lake, dd, path) if path.suffix.lstrip(".") in POOLED_KINDS else None
        if fut is None:
            _parse_now(dd, res, path)
        jobs.append((res, path, fut))
    paths = {id(res): path for res, path, _fut in jobs}
    for i, (res, path, fut) in enumerate(jobs):
        if fut is not None:
            try:
                fut.result()
            except BankflowError as exc:
                _refuse(dd, res, path, exc)
        if progress:
            progress(i + 1, len(jobs))
    good = [r for r in results if r.status == "ok" and r.sha256]
    if good:
        # DuckDB spills past LOAD_MEMORY instead of growing: a 500k-row file loads in ~+150 MB, not ~+700 MB
        with dd.open_warehouse(memory_limit=LOAD_MEMORY) as wh:
            for b in sorted({r.bank for r in good if r.bank}):
                loaded = wh.loaded_shas(b, connection)  # committed loads (core.raw_files is written last)
                mine = [r for r in good if r.bank == b and r.sha256 not in loaded]
                if not mine:
                    continue  # the same files again: loading them would add nothing (500k rows: ~8 s saved)
                before = _counts(wh)
                try:
                    load(dd, wh, b, [r.sha256 for r in mine if r.sha256])
                except Exception as exc:  # the files were read but the warehouse refused them
                    _load_failed(dd, mine, paths, exc)
                    continue
                after = _counts(wh)
                for r in mine:
                    r.rows_inserted = after.get(r.sha256, 0) - before.get(r.sha256, 0)
            refresh_after_load(dd.root, wh)
    return results


def _load_failed(dd: DataDir, mine: list[ImportResult], paths: dict[int, Path], exc: Exception) -> None:
    """A load that failed leaves no trace either: the files this import landed are removed again (a later
    ``bankflow rebuild`` would otherwise load them as data); the user still has the originals."""
    what = exc.describe() if isinstance(exc, BankflowError) else f"{type(exc).__name__}: {exc}"
    for r in mine:
        r.status = "load_error"
        r.message = f"{r.file}: the warehouse refused it ({what}); nothing of it was kept"
        if r.new and id(r) in paths:
            dd.raw.discard(paths[id(r)])


def _parse_now(dd: DataDir, res: ImportResult, path: Path) -> None:
    try:
        to_lake(dd, path)
    except BankflowError as exc:
        _refuse(dd, res, path, exc)


def _refuse(dd: DataDir, res: ImportResult, path: Path, exc: BankflowError) -> None:
    res.status, res.message = exc.outcome, exc.describe()
    if res.new:
        dd.raw.discard(path)


def _counts(wh) -> dict[str, int]:
    return dict(wh.fetch("rows_by_raw_file.sql"))
