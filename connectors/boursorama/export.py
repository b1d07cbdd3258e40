"""CSV export requests (reference/boursorama.md §7, in ../shared) and the decision on every answer (§7.3).

Two flows: ``post`` (2026: ``GET /mon-budget/generate`` for the form and its token, ``POST
/budget/exporter-mouvements``, a 302 to the CSV or to a page with a one-time ``download.phtml?token=`` link)
and ``legacy_get`` (the 2024 GET with the seed's spellings). Each answer is one of: a CSV, the "Aucune
opération ne correspond" page (an empty window: fine), the login page (:class:`SessionExpired`), a 401
(history needs an OTP: :class:`HistoryLimit`) or anything else (ProtocolChanged: never "0 rows").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import aiohttp
from yarl import URL

from connectors.boursorama import pages
from connectors.errors import ProtocolChanged
from connectors.http import raise_for_status

EXPORT_PATH = "/budget/exporter-mouvements"
FORM_PATH = "/mon-budget/generate"
#: WOOB: movement pages answer 401 (OTP needed) instead of a logout when this header is sent
XHR = {"X-Requested-With": "XMLHttpRequest"}


class SessionExpired(Exception):
    """The bank answered with its login page: log in again (once) and restart the export."""


class HistoryLimit(Exception):
    """The bank wants an OTP to export this (old) window."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    body: bytes | None        # None = the bank says the window has no operation
    request_path: str
    status: int
    content_type: str | None


def _fmt(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


async def _read(resp: aiohttp.ClientResponse, connection: str, what: str) -> bytes:
    if resp.status == 401:
        raise HistoryLimit(what)
    raise_for_status(resp, connection=connection, what=what)
    return await resp.read()


def _decide(body: bytes, status: int, what: str, *, form_means_empty: bool) -> tuple[str, str | None]:
    kind, extra = pages.classify_export(body)
    if kind == "login":
        raise SessionExpired(what)
    if kind == "form" and form_means_empty:
        return "empty", None   # AZ #89: the POST flow bounces back to the form when nothing matches
    if kind == "form":
        raise ProtocolChanged(f"Boursorama {what}: the legacy export GET bounced to the export form (the bank "
                              "retired it in 2026); set the connection option export_flow = \"post\"")
    if kind == "other" or status >= 400:
        raise ProtocolChanged(f"Boursorama {what}: unexpected answer (HTTP {status}): {extra or ''}"[:300])
    return kind, extra


async def export_post(session: aiohttp.ClientSession, base_url: str, connection: str, key: str,
                      start: dt.date, end: dt.date) -> ExportResult:
    what = f"CSV export {start}..{end}"
    async with session.get(base_url + FORM_PATH) as resp:
        html = (await _read(resp, connection, what)).decode("utf-8", errors="replace")
    form = pages.parse_form(html, "movementSearch")
    if form is None:
        if pages.is_login_page(html):
            raise SessionExpired(what)
        raise ProtocolChanged(f"Boursorama {what}: no movementSearch form on {FORM_PATH}")
    needed = ("movementSearch[_token]", "movementSearch[fromDate]", "movementSearch[toDate]", "movementSearch[format]")
    missing = [n for n in needed if n not in form.fields]
    if missing:
        raise ProtocolChanged(f"Boursorama {what}: the export form lacks {', '.join(missing)}")
    fields = dict(form.fields)  # names and defaults read from the page (filtredBy, myBudgetPage, _token …)
    fields.update({"movementSearch[fromDate]": _fmt(start), "movementSearch[toDate]": _fmt(end),
                   "movementSearch[format]": "CSV"})
    data = [("movementSearch[selectedAccounts][]", key)] + list(fields.items())
    action = str(URL(base_url + "/").join(URL(form.action or EXPORT_PATH)))
    async with session.post(action, data=data, headers=XHR) as resp:
        body = await _read(resp, connection, what)
        status, ctype = resp.status, resp.content_type
    kind, link = _decide(body, status, what, form_means_empty=True)
    if kind == "empty":
        return ExportResult(None, EXPORT_PATH, status, ctype)
    if kind == "token":
        # one-time link: fetched once; on any failure the whole export restarts from the form
        url = str(URL(base_url + "/").join(URL(link or "")))
        async with session.get(url, headers=XHR) as resp:
            body = await _read(resp, connection, what)
            status, ctype = resp.status, resp.content_type
        kind, _ = _decide(body, status, what + " (download link)", form_means_empty=False)
        if kind != "csv":
            raise ProtocolChanged(f"Boursorama {what}: the download link did not give a CSV ({kind})")
        return ExportResult(body, URL(url).path, status, ctype)
    return ExportResult(body, EXPORT_PATH, status, ctype)


async def export_legacy_get(session: aiohttp.ClientSession, base_url: str, connection: str, key: str,
                            start: dt.date, end: dt.date) -> ExportResult:
    """The 2024 GET (seed): note its spellings ``filteredBy``/``filteredByCategory``/``catergory``."""
    what = f"CSV export (legacy GET) {start}..{end}"
    params = [("movementSearch[selectedAccounts][]", key), ("movementSearch[fromDate]", _fmt(start)),
              ("movementSearch[toDate]", _fmt(end)), ("movementSearch[format]", "CSV"),
              ("movementSearch[filteredBy]", "filteredByCategory"), ("movementSearch[catergory]", ""),
              ("movementSearch[operationTypes]", ""), ("movementSearch[myBudgetPage]", "1"),
              ("movementSearch[submit]", "")]
    async with session.get(base_url + EXPORT_PATH, params=params, headers=XHR) as resp:
        body = await _read(resp, connection, what)
        status, ctype = resp.status, resp.content_type
    kind, _ = _decide(body, status, what, form_means_empty=False)
    if kind == "token":
        raise ProtocolChanged(f"Boursorama {what}: got a download page; use export_flow = \"post\"")
    return ExportResult(None if kind == "empty" else body, EXPORT_PATH, status, ctype)
