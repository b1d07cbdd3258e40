"""Query-parameter parsing for the simulated transaction listings (reference/budgea.md §6.1), with the API's
error codes: ``missingParameter`` when ``limit`` is absent, ``invalidValue`` for a bad value."""
from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import unquote_plus

from aiohttp import web
from multidict import MultiMapping

MAX_LIMIT = 1000


class BadParam(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def flag(request: web.Request, name: str) -> bool:
    """A value-less flag (``?all``): present and not ``false``/``0``."""
    if name not in request.query:
        return False
    return request.query.get(name, "").strip().lower() not in ("false", "0", "no")


def parse_limit(q: MultiMapping[str]) -> int:
    if "limit" not in q:
        raise BadParam("missingParameter", "Missing parameter 'limit' (required, at most 1000)")
    try:
        limit = int(q["limit"])
    except ValueError:
        raise BadParam("invalidValue", f"limit must be an integer, not {q['limit']!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParam("invalidValue", f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def parse_offset(q: MultiMapping[str]) -> int:
    try:
        offset = int(q.get("offset", "0"))
    except ValueError:
        raise BadParam("invalidValue", f"offset must be an integer, not {q['offset']!r}") from None
    if offset < 0:
        raise BadParam("invalidValue", "offset must not be negative")
    return offset


def date_bound(q: MultiMapping[str], name: str, *, upper: bool) -> dt.date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; a partial date is the first (lower bound) or last
    (upper bound) day of its month or year."""
    raw = q.get(name)
    if not raw:
        return None
    try:
        parts = [int(p) for p in raw.split("-")]
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            y, m = parts
            return dt.date(y, m, calendar.monthrange(y, m)[1] if upper else 1)
        if len(parts) == 1:
            return dt.date(parts[0], 12, 31) if upper else dt.date(parts[0], 1, 1)
    except ValueError:
        pass
    raise BadParam("invalidValue", f"{name} must be YYYY-MM-DD, YYYY-MM or YYYY, not {raw!r}")


def parse_datetime(q: MultiMapping[str], name: str) -> dt.datetime | None:
    """A naive Paris datetime: ``YYYY-MM-DD HH:MM:SS`` (a ``T`` separator and a bare date also pass)."""
    raw = q.get(name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None:  # Powens datetimes carry no offset
        raise BadParam("invalidValue", f"{name} must be 'YYYY-MM-DD HH:MM:SS', not {raw!r}")
    return value


def query_without(query_string: str, name: str) -> str:
    """The raw query string minus every ``name`` parameter; value-less flags stay value-less."""
    kept = [p for p in query_string.split("&") if p and unquote_plus(p.split("=", 1)[0]) != name]
    return "&".join(kept)
