"""``bankflow import FILE...``: load files the user downloaded by hand (CSV exports, PDF statements).

Each file is parsed *before* it is landed: a file bankflow cannot read is refused with the parser's
error (naming the file and the line, page or field) and leaves no trace; a good file is landed, parsed
to the lake and loaded in one transaction. Importing the same file twice adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connectors.artifact import make_artifact
from connectors.errors import BankflowError, ParseError
from connectors.registry import all_specs
from warehouse.ingest import DataDir, load, to_lake

KIND_BY_SUFFIX = {".csv": "csv", ".pdf": "pdf", ".json": "json", ".html": "html", ".htm": "html"}


@dataclass
class ImportResult:
    file: str
    bank: str | None = None
    status: str = "ok"
    message: str = ""
    new: bool = False
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
                         remedy="import an unmodified export (e.g. Boursorama's CSV) or pass --bank")
    if len(matches) > 1:
        raise ParseError(f"several banks recognise this file ({', '.join(matches)})", file=name,
                         remedy="pass --bank to say which")
    return matches[0]


def import_files(dd: DataDir, files: list[Path], *, connection: str = "import",
                 bank: str | None = None) -> list[ImportResult]:
    results = []
    with dd.open_warehouse() as wh:
        for f in files:
            res = ImportResult(file=str(f))
            try:
                if not f.is_file():
                    raise ParseError("no such file", file=str(f))
                body = f.read_bytes()
                kind = KIND_BY_SUFFIX.get(f.suffix.lower())
                if kind is None:
                    raise ParseError(f"unsupported file type {f.suffix or '(none)'}; expected .csv or .pdf",
                                     file=str(f))
                res.bank = detect_bank(body, f.name, bank)
                art = make_artifact(body, bank=res.bank, connection=connection, kind=kind,  # type: ignore[arg-type]
                                    resource="statement" if kind == "pdf" else "transactions",
                                    source_name=f.name)
                all_specs()[res.bank].parse(body, art.meta)  # refuse before landing anything
                path, res.new = dd.raw.land(art)
                to_lake(dd, path)
                res.rows_inserted = load(dd, wh, res.bank, [art.meta.sha256]).inserted
            except BankflowError as exc:
                res.status, res.message = exc.outcome, exc.describe()
            results.append(res)
    return results
