"""The Boursorama / BoursoBank connector: login, accounts, CSV exports per window, PDF statements.

Options (``[connections.<name>.options]``):

============== ========= ==================================================================
option         default   meaning
============== ========= ==================================================================
export_flow    "post"    "post" (2026 form + token) or "legacy_get" (the 2024 GET)
export_days    90        window length; windows are fetched newest first, one account each
export_cap     1000      an export with this many rows is taken as truncated: the window is split
history_start  –         ISO date of the first day to fetch (default: ``history_months`` back)
history_months 40        first-sync depth; later syncs restart 40 days before the last booking
statements     "auto"    "auto": the PDF statements older than the export's history (history_start or
                         history_months back), "always", "never"; a statement landed by an earlier run
                         (``SyncState.known_documents``) is never downloaded again
============== ========= ==================================================================

Re-login: when a page comes back as the login page (session expired), the client logs in again
**once** per run and restarts the interrupted step; a second expiry is an error. A 401 on an old window
(the bank wants an OTP for more history) is never silently truncated: the newer windows and the other
accounts are fetched, then SCARequired names the first date not reached.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from yarl import URL

from connectors.artifact import RawArtifact, make_artifact
from connectors.base import Connector
from connectors.boursorama import pages
from connectors.boursorama.export import ExportResult, HistoryLimit, SessionExpired, export_legacy_get, export_post
from connectors.boursorama.login import login
from connectors.boursorama.parse_csv import count_rows
from connectors.errors import ProtocolChanged, SCARequired, TransientError
from connectors.http import raise_for_status

log = logging.getLogger("bankflow.boursorama")
T = TypeVar("T")
ACCOUNTS_PATH = "/dashboard/liste-comptes?rumroute=dashboard.new_accounts&_hinclude=1"
DOCUMENTS_PATH = "/documents/releves"
#: account types whose movements the CSV export covers (securities and insurance are other products)
EXPORTABLE = {"checking", "savings", "card"}


class BoursoramaClient(Connector):
    bank = "boursorama"

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._relogged = False
        o = self.options
        self.export_flow = str(o.get("export_flow", "post"))
        if self.export_flow not in ("post", "legacy_get"):
            raise ProtocolChanged(f"unknown Boursorama export_flow {self.export_flow!r} (post | legacy_get)")
        self.export_days = int(o.get("export_days", 90))
        self.export_cap = int(o.get("export_cap", 1000))
        # statements: "auto" only those older than the CSV export's history, "always" all of them
        # (bankflow backfill), "never" none; statements_since bounds them from below
        self.statements = self.statements_mode()
        self.want_statements = self.statements != "never"

    # -- plumbing -------------------------------------------------------------------------------------
    def _artifact(self, body: bytes, **meta: Any) -> RawArtifact:
        return make_artifact(body, bank=self.bank, connection=self.connection, **meta)

    async def _login(self) -> None:
        await login(self.session, self.base_url, self.credentials, self.connection)

    async def _with_relogin(self, step: Callable[[], Awaitable[T]], what: str) -> T:
        """Run ``step``; on SessionExpired log in again once per run and run it again."""
        try:
            return await step()
        except SessionExpired:
            if self._relogged:
                raise TransientError(f"connection {self.connection!r}: Boursorama ended the session again during "
                                     f"{what} after a re-login; run again later") from None
            self._relogged = True
            log.info("%s: Boursorama session expired during %s; logging in again", self.connection, what)
            await self._login()
            try:
                return await step()
            except SessionExpired:
                raise TransientError(f"connection {self.connection!r}: Boursorama ended the session again "
                                     f"during {what} right after a re-login; run again later") from None

    async def _page(self, path: str, what: str, params: list[tuple[str, str]] | None = None) -> tuple[bytes, int, str]:
        async def step() -> tuple[bytes, int, str]:
            async with self.session.get(self.base_url + path, params=params) as resp:
                raise_for_status(resp, connection=self.connection, what=what)
                body = await resp.read()
                if pages.is_login_page(body.decode("utf-8", errors="replace")):
                    raise SessionExpired(what)
                return body, resp.status, resp.content_type
        return await self._with_relogin(step, what)

    # -- the run --------------------------------------------------------------------------------------
    async def fetch(self) -> AsyncIterator[RawArtifact]:
        await self._login()
        docs, _, _ = await self._page(DOCUMENTS_PATH, "statements page")
        numbers = pages.statement_account_numbers(docs.decode("utf-8", errors="replace"))
        body, status, ctype = await self._page(ACCOUNTS_PATH, "accounts list")
        items = pages.parse_accounts_fragment(body.decode("utf-8", errors="replace"))
        if not items:
            raise ProtocolChanged("Boursorama accounts list: no account links (/compte/<type>/<key>/) found")
        yield self._artifact(body, kind="html", resource="accounts", request_path=ACCOUNTS_PATH.split("?")[0],
                             http_status=status, content_type=ctype,
                             extra={"account_numbers": json.dumps({i.key: numbers[i.key] for i in items
                                                                   if i.key in numbers})})
        limits: list[tuple[str, dt.date]] = []
        start = self._start_date()
        for item in items:
            if item.type not in EXPORTABLE:
                log.info("%s: skipping %s account %s (no movement export)", self.connection, item.type, item.label)
                continue
            number = numbers.get(item.key)
            async for art in self._export_account(item.key, number, start, limits):
                yield art
        if self.want_statements:
            async for art in self._statements(numbers):
                yield art
        if limits:
            detail = "; ".join(f"account {n}: nothing before {d}" for n, d in limits)
            first = max(d for _, d in limits)
            raise SCARequired(
                f"connection {self.connection!r}: Boursorama asks for a one-time code to export older history "
                f"({detail}); newer windows were fetched", remedy=(
                    "validate a login with the BoursoBank app then run again, or set the connection option "
                    f"history_start = \"{first.isoformat()}\" to stop asking for older movements"))

    def _history_start(self) -> dt.date:
        """The first day the CSV export is asked for on a first sync: how far its history reaches."""
        if self.options.get("history_start"):
            return dt.date.fromisoformat(str(self.options["history_start"]))
        return self.today - dt.timedelta(days=int(float(self.options.get("history_months", 40)) * 30.44))

    def _start_date(self) -> dt.date:
        """This run's first export day: the whole history on a first sync, else the start of the export
        window (on the grid of :meth:`_windows`, anchored on today) that holds the day 40 days before the
        last booking loaded (pending card rows book within that). Snapping to the grid makes a sync that
        finds nothing new ask for the very window an earlier sync of the same day asked for: the same
        bytes, so nothing new is landed."""
        deep = self._history_start()
        if not self.state.max_booking_date or self.options.get("history_start"):
            return deep
        want = self.state.max_booking_date - dt.timedelta(days=40)
        return next((a for a, b in self._windows(deep) if a <= want), deep)

    def _windows(self, start: dt.date) -> list[tuple[dt.date, dt.date]]:
        out, end = [], self.today
        while end >= start:
            a = max(start, end - dt.timedelta(days=self.export_days - 1))
            out.append((a, end))
            end = a - dt.timedelta(days=1)
        return out

    async def _export_account(self, key: str, number: str | None, start: dt.date,
                              limits: list[tuple[str, dt.date]]) -> AsyncIterator[RawArtifact]:
        for a, b in self._windows(start):
            try:
                arts = await self._export_window(key, number, a, b)
            except HistoryLimit:
                arts, first = await self._reachable_part(key, number, a, b)
                for art in arts:
                    yield art
                limits.append((number or key[:8], first))
                return  # older windows need the same OTP
            for art in arts:
                yield art

    async def _reachable_part(self, key: str, number: str | None, a: dt.date,
                              b: dt.date) -> tuple[list[RawArtifact], dt.date]:
        """The bank refused [a, b] (OTP for older history): bisect it, keep the newer part it still serves
        (to within a week) and return that part with the first date reached."""
        if (b - a).days < 7:
            return [], b + dt.timedelta(days=1)
        mid = a + (b - a) // 2
        try:
            newer = await self._export_window(key, number, mid + dt.timedelta(days=1), b)
        except HistoryLimit:
            return await self._reachable_part(key, number, mid + dt.timedelta(days=1), b)
        older, first = await self._reachable_part(key, number, a, mid)
        return older + newer, first

    async def _export_window(self, key: str, number: str | None, a: dt.date, b: dt.date) -> list[RawArtifact]:
        flow = export_post if self.export_flow == "post" else export_legacy_get
        res: ExportResult = await self._with_relogin(
            lambda: flow(self.session, self.base_url, self.connection, key, a, b), f"the CSV export {a}..{b}")
        if res.body is None:
            return []  # the bank says: no operation in this window
        n = count_rows(res.body)
        if n >= self.export_cap:
            if a == b:
                raise ProtocolChanged(f"Boursorama CSV export: {n} rows on {a} alone reach the export cap "
                                      f"({self.export_cap}); the day cannot be split further")
            mid = a + (b - a) // 2
            log.info("%s: export %s..%s hit the cap (%d rows); splitting", self.connection, a, b, n)
            return (await self._export_window(key, number, mid + dt.timedelta(days=1), b)
                    + await self._export_window(key, number, a, mid))
        return [self._artifact(res.body, kind="csv", resource="transactions", account_ref=number, window_start=a,
                               window_end=b, request_path=res.request_path, http_status=res.status,
                               content_type=res.content_type)]

    async def _statements(self, numbers: dict[str, str]) -> AsyncIterator[RawArtifact]:
        # "auto": a statement is fetched only where the CSV export stops (one dated D covers about the
        # month before D); inside the export's history it would only be evidence. "always" (bankflow
        # backfill, the monthly-statements deployment): every statement, from statements_since on.
        # The CSV history is where the export reaches on a first sync, not this run's incremental start:
        # statements inside it were never needed, and the ones outside it were landed by an earlier run.
        csv_start = self._history_start() if self.statements == "auto" else None
        since = self.option_date("statements_since")
        for key, number in numbers.items():
            params = [("FiltersType[accountsKeys][]", key), ("FiltersType[fromDate]", "01/01/1970"),
                      ("FiltersType[toDate]", self.today.strftime("%d/%m/%Y"))]
            params += [("FiltersType[documentsTypes][]", t) for t in ("cc", "export_historic_statement", "frais")]
            params.append(("FiltersType[buttons][submit]", ""))
            html, _, _ = await self._page(DOCUMENTS_PATH, "statements list", params)
            for link in pages.parse_statement_rows(html.decode("utf-8", errors="replace")):
                if (since and link.date < since) or (csv_start and link.date - dt.timedelta(days=40) >= csv_start):
                    continue
                # the page's ids are dates (unique per account's list): qualified by the account number
                doc_id = f"{number}_{link.doc_id}"
                if self.state.knows("statement", doc_id):
                    continue  # landed by an earlier run: an issued statement never changes
                url = URL(self.base_url + "/").join(URL(link.url))
                body, status, ctype = await self._download(str(url), link.doc_id)
                if not body.startswith(b"%PDF"):
                    raise ProtocolChanged(f"Boursorama statement {link.doc_id} of account {number}: "
                                          "the download is not a PDF")
                yield self._artifact(body, kind="pdf", resource="statement", account_ref=number,
                                     request_path=url.path, http_status=status, content_type=ctype,
                                     extra={"document_date": link.date.isoformat(), "document_id": doc_id})

    async def _download(self, url: str, doc_id: str) -> tuple[bytes, int, str]:
        """A statement document (on the API host ``api.boursobank.com`` at the bank): same jar, plain GET."""
        async def step() -> tuple[bytes, int, str]:
            async with self.session.get(url) as resp:
                raise_for_status(resp, connection=self.connection, what=f"statement {doc_id}")
                body = await resp.read()
                if not body.startswith(b"%PDF") and pages.is_login_page(body.decode("utf-8", errors="replace")):
                    raise SessionExpired(doc_id)
                return body, resp.status, resp.content_type
        return await self._with_relogin(step, f"statement {doc_id}")
