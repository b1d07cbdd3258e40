"""Parse results cached by the PDF's sha256: a statement PDF is never parsed twice.

Layout: ``<cache_dir>/<sha[:2]>/<sha>.json`` holding either the parsed batch (Decimals as strings,
dates ISO) or the ParseError it raised (a bad PDF is not re-parsed either; the error is raised again
with the caller's ``source`` name). Each entry records the parser version and a fingerprint of the
layout files: an entry made by another parser or other layouts is stale and parsed again.
Writes are atomic (temp file + ``os.replace``), so concurrent workers and crashes leave no torn entry.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.errors import ParseError
from connectors.records import BalanceSnapshot, ParsedBatch, Statement, StatementLine
from connectors.statements import errors as st_errors
from connectors.statements import dispatch as _parse_mod
from connectors.statements.layouts import layouts_fingerprint

PARSER_VERSION = "2"   # 2: the generic reader for PDFs no layout claims; rows keep page and line


def _version() -> str:
    return f"{PARSER_VERSION}:{layouts_fingerprint()[:16]}"


def _d(x: dt.date | None) -> str | None:
    return x.isoformat() if x else None


def _date(x: str | None) -> dt.date | None:
    return dt.date.fromisoformat(x) if x else None


def batch_to_json(batch: ParsedBatch) -> dict[str, Any]:
    """A statement ParsedBatch as plain JSON (money as strings, never floats)."""
    return {
        "window_start": _d(batch.window_start), "window_end": _d(batch.window_end),
        "balances": [{"account_ref": b.account_ref, "date": _d(b.date), "balance": str(b.balance),
                      "source": b.source} for b in batch.balances],
        "statements": [{
            "account_ref": s.account_ref, "period_start": _d(s.period_start),
            "period_end": _d(s.period_end), "opening_balance": str(s.opening_balance),
            "closing_balance": str(s.closing_balance), "total_debits": str(s.total_debits),
            "total_credits": str(s.total_credits),
            "lines": [{"booking_date": _d(ln.booking_date), "amount": str(ln.amount),
                       "label_raw": ln.label_raw, "value_date": _d(ln.value_date),
                       "page": ln.page, "line": ln.line} for ln in s.lines],
        } for s in batch.statements],
    }


def batch_from_json(data: dict[str, Any]) -> ParsedBatch:
    statements = [Statement(
        account_ref=s["account_ref"], period_start=_date(s["period_start"]),  # type: ignore[arg-type]
        period_end=_date(s["period_end"]),  # type: ignore[arg-type]
        opening_balance=Decimal(s["opening_balance"]), closing_balance=Decimal(s["closing_balance"]),
        total_debits=Decimal(s["total_debits"]), total_credits=Decimal(s["total_credits"]),
        lines=tuple(StatementLine(booking_date=_date(ln["booking_date"]),  # type: ignore[arg-type]
                                  amount=Decimal(ln["amount"]), label_raw=ln["label_raw"],
                                  value_date=_date(ln["value_date"]), page=ln.get("page"),
                                  line=ln.get("line")) for ln in s["lines"]),
    ) for s in data["statements"]]
    balances = [BalanceSnapshot(b["account_ref"], _date(b["date"]), Decimal(b["balance"]),  # type: ignore[arg-type]
                                b["source"]) for b in data["balances"]]
    return ParsedBatch(statements=statements, balances=balances,
                       window_start=_date(data["window_start"]), window_end=_date(data["window_end"]))


def cache_path(cache_dir: str | os.PathLike[str], sha256: str) -> Path:
    return Path(cache_dir) / sha256[:2] / f"{sha256}.json"


def _write(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _bare_message(exc: ParseError) -> str:
    msg = str(exc)
    prefix = ": ".join(p for p in (exc.file, exc.where) if p)
    return msg[len(prefix) + 2:] if prefix and msg.startswith(prefix + ": ") else msg


def _raise_cached(err: dict[str, Any], source: str) -> None:
    cls = getattr(st_errors, err["class"], None)
    if not (isinstance(cls, type) and issubclass(cls, ParseError)):
        cls = ParseError
    raise cls(err["message"], file=source, where=err.get("where"))


def parse_cached(body: bytes, *, source: str, cache_dir: str | os.PathLike[str],
                 account_ref: str | None = None) -> ParsedBatch:
    """:func:`parse_statement_pdf` with a cache by sha256 under ``cache_dir``.

    A cached failure is raised again (same class and message, this call's ``source``).
    ``account_ref``, when given, must equal the statement's printed account number.
    """
    sha = hashlib.sha256(body).hexdigest()
    path = cache_path(cache_dir, sha)
    entry: dict[str, Any] | None = None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry.get("version") != _version():
            entry = None
    except (FileNotFoundError, ValueError):
        entry = None
    if entry is None:
        try:
            batch = _parse_mod.read_statement_pdf(body, source=source)
            entry = {"version": _version(), "sha256": sha, "batch": batch_to_json(batch)}
        except ParseError as exc:
            entry = {"version": _version(), "sha256": sha,
                     "error": {"class": type(exc).__name__, "message": _bare_message(exc),
                               "where": exc.where}}
        _write(path, entry)
    if "error" in entry:
        _raise_cached(entry["error"], source)
    batch = batch_from_json(entry["batch"])
    for st in batch.statements:
        if account_ref and st.account_ref != account_ref.replace(" ", ""):
            raise st_errors.StatementStructureError(
                f"statement is for account {st.account_ref}, expected {account_ref}", file=source,
                where="page 1")
    return batch
