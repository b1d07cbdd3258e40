"""LCL connector: the JSON API of ``monespace.lcl.fr`` (reference lcl.md), statements as the history fallback.

One run: keypad + login (one POST, never replayed) → contract selection → accounts (current, saving) → per account,
transactions paged newest first by ``range=a-b`` → when the API's history gate stopped the paging, the statement
list and the PDFs of the older periods.

Decisions (reference/lcl.md §11, in ../shared, not shipped):

* **Contract selection** (lcl.md §11.1, §11.3): the seed sends the base64-encoded id to ``POST /api/login/contract``,
  woob (confirmed by an independent client) sends the raw id. We send the **raw** id first, because two independent
  clients do and it is what the web app's own ``/api/user/contract`` call carries; if the server answers 4xx (other
  than 401) we send the **encoded** id once. If the answer holds an ``accessToken`` (the seed's observation) we use
  that contract-scoped token from then on, else we keep the login token (woob's way). ``contract_id=`` query
  parameters always take the encoded id (base64 with the ``=`` padding removed; the seed's "drop the last two
  characters" is the same thing for the 16-character ids seen so far, and we warn on other lengths).
* **Transactions path** (lcl.md §11.2): woob's ``/api/user/accounts/<internal_id>/transactions?contract_id=<encoded>``.
* **Re-login**: a documented exception to "no retries in connectors". A data call answered 401 after the session
  worked (the token expired) triggers **one** new login and one replay of that GET; a second 401 stops the run.
  At most ``MAX_RELOGINS`` per run. The login POST itself is never repeated on failure.
* **History gate** (lcl.md §6, §11.5): a 403 ``STRONG_AUTHENTICATION_REQUIRED`` on a page means the page reaches rows
  older than the bank serves without 2FA. We then narrow the range by bisection to get every row the API still
  serves (so the oldest day fetched is complete), record the coverage, and fetch the statements of older periods.
* **SCA at login** (lcl.md §3): ``multiFactorAuth`` present stops the run with :class:`SCARequired` naming the
  device. No one-time code is asked through ``self.otp`` (connectors/otp.py): no source describes how a code
  or an approval is sent back to LCL (WOOB does not implement it; the seed does not mention it), so posting
  anything would be a guess. The approval happens in LCL's app, then the next run logs in.
* **One artifact per account's transactions**: the pages are spliced byte for byte into a small JSON envelope
  (``{"pages": [{"range": "0-99", "body": <the bank's bytes>}, ...], "coverage": {...}}``). A day's identical rows
  can straddle two pages, so only the whole listing is a snapshot whose window (``coverage``) can be trusted for
  counting identical same-day rows (docs/design.md §6).

* **Nothing twice** (issue 13): a statement whose id is in ``state.known_documents`` is not downloaded again; the
  statement list (fresh single-use download tokens on every call) and an account listing that stopped inside a
  first page identical to one already landed are not yielded when their content is known.

Options: ``space`` (``"CLI"`` particuliers, default, or ``"CLA"`` pro); ``statements`` (``"auto"``: only when the
API's history is gated, ``"always"``, ``"never"``). Incremental runs (``state.max_booking_date`` set) stop paging
once past ``max_booking_date - 14 days`` (so pending rows that booked since are refreshed).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from connectors.artifact import RawArtifact, content_id, make_artifact
from connectors.base import Connector
from connectors.errors import ActionNeeded, AuthError, ProtocolChanged, SCARequired
from connectors.http import raise_for_status

from .keypad import Keypad

log = logging.getLogger("bankflow.lcl")

PAGE = 100
MAX_PAGES = 200           # 20 000 rows: past this we raise rather than truncate quietly (woob stops silently)
MAX_RELOGINS = 3
GATE_CODE = "STRONG_AUTHENTICATION_REQUIRED"
STATEMENT_YEARS = 10      # how far back the statement list is asked for (woob: 10 years)
INCREMENTAL_OVERLAP = dt.timedelta(days=14)
#: how far back the history gate is said to let rows through (lcl.md §6, SEED, unconfirmed): an incremental run
#: that stops probing the gate early still wants the statements of periods that start before it
GATE_HORIZON = dt.timedelta(days=90)
NO_CONTRACT = "0000000000000000"


class PagingLimitError(ProtocolChanged):
    """More pages than any real account has: the paging no longer ends the way we know."""


def encode_contract_id(contract_id: str) -> str:
    """base64 of the ASCII id without padding (reference/lcl.md §4.2)."""
    if len(contract_id) != 16:
        log.warning("LCL contract id of %d characters (16 expected): encoding without '=' padding",
                    len(contract_id))
    return base64.b64encode(contract_id.encode()).decode().rstrip("=")


def _expiry(value: Any) -> float | None:
    """``expiresAt`` as a Unix time when it parses (ISO text, or epoch seconds or milliseconds), else None."""
    try:
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
            n = float(value)
            return n / 1000 if n > 1e11 else n
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError):
        return None


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(slots=True)
class _Account:
    internal_id: str
    account_ref: str


class LclConnector(Connector):
    bank = "lcl"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._token: str | None = None
        self._contract_enc: str | None = None
        self._relogins = 0
        self._token_worked = False
        self._expires_at: float | None = None

    # ------------------------------------------------------------------ plumbing

    def _what(self, what: str) -> str:
        return f"connection {self.connection!r}: {what}"

    async def _call(self, method: str, path: str, *, params: dict[str, str] | None = None,
                    body: dict[str, Any] | None = None, auth: bool = True) -> tuple[int, bytes, str]:
        headers = {"Accept": "application/json"}
        if auth and self._token:
            headers["X-Authorization"] = f"Bearer {self._token}"
        async with self.session.request(method, self.base_url + path, params=params, json=body,
                                        headers=headers) as resp:
            raise_for_status(resp, connection=self.connection, what=f"{method} {path}")
            return resp.status, await resp.read(), resp.content_type

    def _json(self, raw: bytes, what: str) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            raise ProtocolChanged(self._what(f"{what}: the answer is not JSON")) from None

    async def _get(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        """GET a data endpoint; on a 401 after the session worked, log in again once and replay once. A token
        past its ``expiresAt`` (when that parsed) is renewed before the call instead."""
        if (self._expires_at is not None and time.time() > self._expires_at - 30 and self._token_worked
                and self._relogins < MAX_RELOGINS):
            self._relogins += 1
            log.info("%s: session about to expire, logging in again (%d)", self.connection, self._relogins)
            await self._login()
        status, raw, ctype = await self._call("GET", path, params=params)
        if status == 401 and self._token_worked and self._relogins < MAX_RELOGINS:
            self._relogins += 1
            log.info("%s: session expired, logging in again (%d)", self.connection, self._relogins)
            await self._login()
            status, raw, ctype = await self._call("GET", path, params=params)
        if status == 401:
            raise ProtocolChanged(self._what(f"GET {path}: the bank refused a fresh session token (HTTP 401)"))
        if status == 200:
            self._token_worked = True
        return status, raw, ctype

    # ------------------------------------------------------------------ login

    async def _login(self) -> None:
        login, pin = self.credentials.get("login") or "", self.credentials.get("password") or ""
        if not (len(login) == 10 and login.isdigit()):
            raise AuthError(self._what("the LCL login must be the 10-digit customer number"))
        if not (len(pin) == 6 and pin.isdigit()):
            raise AuthError(self._what("the LCL password must be the 6-digit PIN"))
        self._token, self._token_worked, self._expires_at = None, False, None
        status, raw, _ = await self._call("GET", "/api/login/keypad", auth=False)
        if status != 200:
            raise ProtocolChanged(self._what(f"GET /api/login/keypad answered HTTP {status}"))
        keypad = self._json(raw, "keypad").get("keypad")
        if not isinstance(keypad, str):
            raise ProtocolChanged(self._what("keypad answer without a 'keypad' string"))
        body = {"callingUrl": "/connexion", "clientTimestamp": int(time.time() * 1000),
                "encryptedIdentifier": False, "identifier": login,
                "keypad": Keypad.decode(keypad).encode_pin(pin),
                "sessionId": "".join(random.choice("0123456789") for _ in range(29))}
        status, raw, _ = await self._call("POST", "/api/login", body=body, auth=False)  # never replayed
        if status == 401:
            self._raise_login_error(self._json(raw, "login error"))
        if status != 200:
            raise ProtocolChanged(self._what(f"POST /api/login answered HTTP {status}"))
        data = self._json(raw, "login")
        mfa = data.get("multiFactorAuth")
        if isinstance(mfa, dict) and mfa.get("type"):
            device = (mfa.get("device") or {}).get("name") or "your registered device"
            raise SCARequired(
                self._what(f"LCL asks for strong authentication ({mfa['type']})"),
                remedy=f"log into LCL's web site or app, approve the request on '{device}' (LCL Secure Access), "
                       "then run the sync again; bankflow cannot do this step for you")
        if not isinstance(data.get("accessToken"), str):
            raise ProtocolChanged(self._what("login answer without an accessToken"))
        self._token, self._expires_at = data["accessToken"], _expiry(data.get("expiresAt"))
        await self._select_contract(data.get("contracts") or [])

    def _raise_login_error(self, err: dict[str, Any]) -> None:
        code = str(err.get("code", ""))
        if code == "INVALID_USER_ID":
            raise AuthError(self._what("LCL does not know this customer number (login)"))
        if code == "BAD_CREDENTIALS":
            raise AuthError(self._what("LCL rejected the login or the PIN"))
        if code == "BAD_CREDENTIALS_AND_TEMPORARY_BLOCKING":
            raise ActionNeeded(self._what("LCL rejected the PIN and temporarily blocked the access"),
                               remedy="wait for the block to end or call your LCL adviser, check the PIN, "
                                      "then run again")
        if code in ("CREDENTIALS_BLOCKED", "ACCESS_BLOCKED"):
            raise ActionNeeded(self._what(f"LCL reports the access as blocked ({code})"),
                               remedy="unblock the access with LCL (web site 'code oublié' or your adviser), "
                                      "then run again")
        raise ActionNeeded(self._what(f"LCL refused the login with code {code or 'none'}"),
                           remedy="log into LCL's web site to see what it asks, then run again")

    async def _select_contract(self, contracts: list[dict[str, Any]]) -> None:
        space = str(self.options.get("space", "CLI"))
        chosen = next((str(c["id"]) for c in contracts if c.get("type") == space and c.get("id")), NO_CONTRACT)
        self._contract_enc = encode_contract_id(chosen)
        for form in (chosen, self._contract_enc):  # raw first, then the seed's encoded form (see module doc)
            status, raw, _ = await self._call("POST", "/api/login/contract",
                                              body={"clientTimestamp": int(time.time() * 1000),
                                                    "contractId": form})
            if status == 200:
                answer = self._json(raw, "contract") if raw.strip() else {}
                token = answer.get("accessToken") if isinstance(answer, dict) else None
                if isinstance(token, str) and token:
                    self._token, self._expires_at = token, _expiry(answer.get("expiresAt"))
                return
            if status == 401 or not 400 <= status < 500:
                break
        raise ProtocolChanged(self._what(f"contract selection answered HTTP {status}"))

    # ------------------------------------------------------------------ fetch

    async def fetch(self) -> AsyncIterator[RawArtifact]:
        await self._login()
        accounts: list[_Account] = []
        for kind in ("current", "saving"):
            path = "/api/user/accounts"
            params = {"type": kind, "contract_id": self._contract_enc or "", "is_eligible_for_identity": "false",
                      "include_aggregate_account": "false"}
            status, raw, ctype = await self._get(path, params)
            if status != 200:
                raise ProtocolChanged(self._what(f"GET {path}?type={kind} answered HTTP {status}"))
            for a in self._json(raw, "accounts").get("accounts") or []:
                accounts.append(_Account(str(a["internal_id"]), str(a["external_id"]).replace(" ", "")))
            yield make_artifact(raw, bank=self.bank, connection=self.connection, kind="json", resource="accounts",
                                request_path=f"{path}?type={kind}", http_status=status, content_type=ctype)
        since = self.state.max_booking_date - INCREMENTAL_OVERLAP if self.state.max_booking_date else None
        gated: dict[str, dt.date | None] = {}
        for acc in accounts:
            artifact, coverage = await self._transactions(acc, since)
            if artifact is not None:
                yield artifact
            if coverage["stop"] == "history_gate":
                start = coverage.get("statements_before") or coverage["start"]
                gated[acc.account_ref] = _day(start) if start else None
        mode = self.statements_mode()
        if mode == "always":
            wanted = {a.account_ref: dt.date.max for a in accounts}
        elif mode == "auto":
            wanted = {ref: start or dt.date.max for ref, start in gated.items()}
        else:
            wanted = {}
        if wanted:
            async for art in self._statements(wanted):
                yield art

    async def _transactions(self, acc: _Account, since: dt.date | None) -> tuple[RawArtifact | None, dict[str, Any]]:
        path = f"/api/user/accounts/{acc.internal_id}/transactions"
        pages: list[tuple[str, bytes]] = []
        oldest: dt.date | None = None
        start, stop = 0, "end"
        cut = False  # the gate's probing stopped once past ``since`` (an incremental run)

        async def page(a: int, b: int) -> list[dict[str, Any]] | None:
            """Rows of range a-b, or None when the history gate refuses it."""
            nonlocal oldest
            status, raw, _ = await self._get(path, {"contract_id": self._contract_enc or "", "range": f"{a}-{b}"})
            if status == 403 and self._json(raw, "transactions error").get("code") == GATE_CODE:
                return None
            if status != 200:
                raise ProtocolChanged(self._what(f"GET {path} range {a}-{b} answered HTTP {status}"))
            rows = self._json(raw, "transactions").get("accountTransactions")
            if not isinstance(rows, list):
                raise ProtocolChanged(self._what(f"GET {path}: no 'accountTransactions' list"))
            pages.append((f"{a}-{b}", raw))
            for r in rows:
                d = _day(r.get("booking_date_time"))
                if d and (oldest is None or d < oldest):
                    oldest = d
            return rows

        while True:
            if len(pages) >= MAX_PAGES:
                raise PagingLimitError(self._what(f"{path}: more than {MAX_PAGES} pages of {PAGE} rows"))
            rows = await page(start, start + PAGE - 1)
            if rows is None:
                stop = "history_gate"
                cut = await self._bisect_gate(start, page, pages, since, lambda: oldest)
                break
            if len(rows) < PAGE:
                break
            if since and oldest and oldest < since:
                stop = "since"
                break
            start += PAGE
        # the oldest day fetched is complete when the listing ended or the gate was bisected (the next row is
        # older than the gate's cutoff, hence on an earlier day); after an early "since" stop it may be cut
        first = oldest + dt.timedelta(days=1) if (stop == "since" or cut) and oldest else oldest
        coverage = {"start": first.isoformat() if first else None, "end": self.today.isoformat(), "stop": stop}
        if cut:  # the gate is there but was not located: statements are wanted as far as it may reach
            coverage["statements_before"] = min(first or self.today, self.today - GATE_HORIZON).isoformat()
        body = (b'{"bankflow_envelope":1,"internal_id":' + json.dumps(acc.internal_id).encode()
                + b',"coverage":' + json.dumps(coverage).encode() + b',"pages":['
                + b",".join(b'{"range":"' + r.encode() + b'","body":' + raw + b"}" for r, raw in pages) + b"]}")
        # An incremental run that stopped inside a first page byte-identical to the first page of a listing an
        # earlier run landed saw nothing that listing does not hold (the newest rows come first): not new.
        newest = content_id([acc.internal_id, hashlib.sha256(pages[0][1]).hexdigest()]) if pages else None
        if (stop == "since" or cut) and len(pages) == 1 and newest and self.state.knows("transactions", newest):
            log.info("%s: account %s unchanged since the last run", self.connection, acc.account_ref)
            return None, coverage
        art = make_artifact(body, bank=self.bank, connection=self.connection, kind="json", resource="transactions",
                            account_ref=acc.account_ref, window_start=first, window_end=self.today,
                            request_path=f"{path}?range=0-{start + PAGE - 1}", http_status=200,
                            content_type="application/json", extra={"stop": stop, "pages": str(len(pages)),
                                                                    **({"document_id": newest} if newest else {})})
        return art, coverage

    async def _bisect_gate(self, start: int, page: Any, pages: list[tuple[str, bytes]], since: dt.date | None,
                           oldest: Callable[[], dt.date | None]) -> bool:
        """The page at ``start`` was refused: find the longest prefix ``start..start+n-1`` still served, so every
        row the API gives without 2FA is fetched. Keeps only the longest successful probe in ``pages``.

        A first sync bisects (7 probes for a page of 100). An incremental run (``since``) needs only the rows
        newer than ``since``: it gallops (1, 2, 4, ... rows) and stops at the first probe that is served and
        reaches past ``since`` (1-2 probes on a quiet day instead of 7-8); a refused probe hands over to the
        bisection. Returns whether it stopped that way (``oldest()``: the oldest day fetched so far)."""
        ok, refused = 0, PAGE
        best: tuple[str, bytes] | None = None
        gallop = 1 if since else 0
        cut = False
        while refused - ok > 1:
            mid = min(gallop, refused - 1) if gallop else (ok + refused) // 2
            rows = await page(start, start + mid - 1)
            if rows is None:
                refused, gallop = mid, 0
                continue
            best = pages.pop()
            ok = mid
            if len(rows) < mid:  # the listing ended inside the probe
                break
            if since and oldest() and oldest() < since:
                cut = True
                break
            gallop *= 2
        if best is not None:
            pages.append(best)
        log.info("%s: history gate at row %d (%d more rows served%s)", self.connection, start, ok,
                 ", enough for this incremental run" if cut else "")
        return cut

    async def _statements(self, wanted: dict[str, dt.date]) -> AsyncIterator[RawArtifact]:
        """List statements (once, right before downloading: tokens are single use) and download, per account,
        those whose period starts before that account's API coverage (``wanted[ref]``) and that no earlier run
        landed (``state.known_documents``). The list always spans the same years, incremental run or not, so
        an unchanged list is recognised as such (and a statement an interrupted run missed is still found)."""
        path = "/api/user/documents/accounts_statements"
        lo = self.option_date("statements_since") or self.today.replace(year=self.today.year - STATEMENT_YEARS)
        params = {"initial_date": lo.isoformat(), "final_date": self.today.isoformat(), "market_code": "01,02,21"}
        status, raw, ctype = await self._get(path, params)
        if status != 200:
            raise ProtocolChanged(self._what(f"GET {path} answered HTTP {status}"))
        items = self._json(raw, "statement list")
        if not isinstance(items, list):
            raise ProtocolChanged(self._what(f"GET {path}: a JSON list was expected"))
        # The list carries a fresh single-use downloadToken per item on every call (the bank's way), so its
        # bytes always differ: it is new evidence only when the list of documents itself changed.
        listed = content_id([{k: v for k, v in i.items() if k != "downloadToken"} if isinstance(i, dict) else i
                             for i in items])
        if not self.state.knows("statement_list", listed):
            yield make_artifact(raw, bank=self.bank, connection=self.connection, kind="json",
                                resource="statement_list", request_path=f"{path}?initial_date={lo}&final_date="
                                f"{self.today}", http_status=status, content_type=ctype,
                                extra={"document_id": listed})
        for item in items:
            ref = self._statement_account(item, wanted)
            doc_date = _day(item.get("datprddoccli"))
            if ref is None or doc_date is None or not item.get("downloadToken"):
                continue
            # a statement dated D covers about the month before D: keep it while it may start before coverage
            if doc_date - dt.timedelta(days=40) >= wanted[ref]:
                continue
            doc_id = f"{item.get('numageclicl', '')}{item.get('numcptclicl', '')}{item.get('codlccpt', '')}_{doc_date}"
            if self.state.knows("statement", doc_id):
                continue  # landed by an earlier run: an issued statement never changes
            dpath = "/api/user/documents/download"
            status, pdf, ctype = await self._get(dpath, {"downloadToken": str(item["downloadToken"])})
            if status != 200 or not pdf.startswith(b"%PDF"):
                raise ProtocolChanged(self._what(f"statement {doc_date}: the download is not a PDF (HTTP {status})"))
            yield make_artifact(pdf, bank=self.bank, connection=self.connection, kind="pdf", resource="statement",
                                account_ref=ref, request_path=f"{dpath}?downloadToken=***", http_status=status,
                                content_type=ctype, source_name=f"{doc_id}.pdf",
                                extra={"document_date": doc_date.isoformat(), "document_id": doc_id})

    @staticmethod
    def _statement_account(item: dict[str, Any], wanted: dict[str, dt.date]) -> str | None:
        """The account_ref a statement item belongs to: agency + number + key when all three are given, else the
        one account whose number contains ``numcptclicl`` (woob's rule), if exactly one does."""
        number = str(item.get("numcptclicl") or "")
        full = f"{item.get('numageclicl') or ''}{number}{item.get('codlccpt') or ''}"
        if full in wanted:
            return full
        hits = [r for r in wanted if number and number in r]
        return hits[0] if len(hits) == 1 else None
