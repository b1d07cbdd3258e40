"""Budgea / Powens API 2.0 client (reference ``shared/reference/budgea.md``).

One run, per Powens connection of the user token (or those listed in ``options["powens_connection_ids"]``):

1. ``GET /users/me`` checks the token (401/403 -> :class:`AuthError` "token rejected").
2. ``PUT /users/me/connections/{id}?psu_requested=false`` refreshes it unattended (budgea.md §4.1), then
   ``GET /users/me/connections/{id}`` is polled while ``state`` is ``validating`` (bounded). Any other
   non-null state stops the connection with the error :mod:`connectors.budgea.states` maps it to.
   ``wrongpass`` is an AuthError: never retried, the PUT is sent once.
3. ``GET /users/me/connections/{id}/accounts?all``; disabled, non-deleted accounts are activated with
   ``POST /users/me/accounts/{id}`` ``{"disabled": false}`` (option ``activate_accounts``, default true)
   and the list is read again. That listing is landed as the ``accounts`` artifact.
4. ``GET /users/me/accounts/{id}/transactions?limit=<page_limit>&all&...`` for each enabled account,
   one artifact per page. ``all`` brings deleted rows too, so tombstones reach the warehouse.

   * **First sync** (no ``SyncState.max_source_updated_at``) and accounts activated in this run: the
     whole history, asked as ``min_date=1970-01-01&filter=date`` (an explicit date window on the debit
     date, as the reference recommends, instead of the legacy default "last month").
   * **Incremental**: ``last_update=<cursor>`` with cursor = highest server ``last_update`` already
     loaded minus ``overlap_days`` (default 2), as naive Paris time. The client clock is never used.

   Pages: follow ``_links.next.href`` (opaque; relative or absolute; only on the base URL's own host, so
   the bearer token never leaves it), else legacy ``offset``/``total``.

One-time codes (budgea.md §4.1, §4.3): when the refresh answers ``state = additionalInformationNeeded``
with exactly one entry in ``fields`` (e.g. ``sms``), the client asks a person through ``self.otp``
(connectors/otp.py), waits up to ``otp_timeout`` seconds, then posts ``{<field name>: <code>}`` to
``POST /users/me/connections/{id}`` **once** and polls as after a refresh. What the reference leaves
uncertain, and what this client does about it:

* how Powens answers a wrong or expired code is not documented. Legacy docs give ``400 {"code":
  "wrongpass"}`` for refused field values, and woob-based connectors raise their "incorrect password"
  error for a wrong OTP, which Powens reports as ``wrongpass``; a bank may also simply ask again
  (``additionalInformationNeeded`` a second time). After a posted code, the client treats all three (a
  400, ``wrongpass``, a second request for a field) as :class:`~connectors.otp.OtpRefused`: the code is
  never posted again, the connection ends in NeedsUser. The simulator's choices (400 ``wrongpass`` for a
  wrong code, a second ``additionalInformationNeeded`` with ``error_message`` for an expired one) are
  its own conventions;
* several fields at once (a code plus a question) are not handled: the connection stops with the state's
  usual SCA message (complete it in the Powens webview);
* ``decoupled`` (validate in the app, then ``resume=true``) is not a code: it stays an SCA stop;
* an unattended refresh sends ``psu_requested=false``; whether a bank then asks for a code at all is the
  bank's choice (Powens documents that SCA "may be asked" when the user is present).

Retries of 429/5xx happen in :mod:`connectors.http` only. The token goes in the ``Authorization``
header only: never in a URL, artifact metadata, log line or error message.

Options: ``powens_connection_ids`` (list of ints), ``refresh`` (true), ``activate_accounts`` (true),
``page_limit`` (1000, capped at 1000), ``overlap_days`` (2), ``poll_interval`` (seconds, 2.0),
``max_polls`` (30), ``otp_timeout`` (seconds a person has to enter a code, 300).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from yarl import URL

from connectors.artifact import RawArtifact, make_artifact
from connectors.base import Connector
from connectors.budgea.states import state_error
from connectors.errors import AuthError, ConfigError, ProtocolChanged, SCARequired, TransientError
from connectors.http import raise_for_status, redact_url
from connectors.otp import DEFAULT_TIMEOUT, OtpRefused, OtpRequest, OtpTimeout, OtpUnavailable

log = logging.getLogger("bankflow.budgea")

MAX_LIMIT = 1000
FULL_HISTORY_FROM = "1970-01-01"
MAX_PAGES = 10_000


class BudgeaClient(Connector):
    bank = "budgea"

    # ------------------------------------------------------------------ entry point
    async def fetch(self) -> AsyncIterator[RawArtifact]:
        token = self.credentials.get("token")
        if not token:
            raise ConfigError(f"connection {self.connection!r}: no 'token' credential configured")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._secrets = self.credentials.secret_values()
        self._origin = URL(self.base_url).origin()
        await self._call("GET", "/users/me", what="check the user token")
        for conn in await self._connections():
            cid = conn["id"]
            if self.options.get("refresh", True):
                await self._refresh(cid)
            accounts, activated, art = await self._accounts(cid)
            yield art
            for acc in accounts:
                if acc.get("deleted") or acc.get("disabled"):
                    continue
                async for page in self._transactions(acc, cid, full=acc["id"] in activated):
                    yield page

    # ------------------------------------------------------------------ HTTP
    async def _call(self, method: str, target: str | URL, *, what: str, json_body: Any = None,
                    ok: tuple[int, ...] = (200,)) -> tuple[Any, bytes, int, str | None, str]:
        """One request; returns (decoded JSON, raw bytes, status, content type, redacted path)."""
        url = target if isinstance(target, URL) else URL(self.base_url + target, encoded=True)
        path = redact_url(url, self._secrets)
        async with self.session.request(method, url, headers=self._headers, json=json_body) as resp:
            body = await resp.read()
            status, ctype = resp.status, resp.content_type
            raise_for_status(resp, connection=self.connection, what=what)
        data = self._decode(body, what) if body else None
        if status in ok:
            return data, body, status, ctype, path
        code = data.get("code") if isinstance(data, dict) else None
        if status in (401, 403):
            if isinstance(code, str) and code.lower() == "scarequired":
                raise SCARequired(f"connection {self.connection!r}: Powens asks for strong authentication "
                                  f"({what}, HTTP {status})")
            raise AuthError(f"connection {self.connection!r}: token rejected by Powens ({what}: HTTP {status}"
                            f"{', ' + code if isinstance(code, str) else ''})",
                            remedy="create a new permanent user token (POST /auth/renew) and update the "
                                   "credential this connection's 'token' points to")
        description = data.get("description") if isinstance(data, dict) else None
        raise ProtocolChanged(f"connection {self.connection!r}: {what}: unexpected HTTP {status} on {path}"
                              f" (code={code!r}, description={str(description)[:200]!r})")

    def _decode(self, body: bytes, what: str) -> Any:
        try:
            return json.loads(body, parse_float=Decimal)
        except ValueError:
            raise ProtocolChanged(f"connection {self.connection!r}: {what}: the answer is not JSON") from None

    # ------------------------------------------------------------------ connections
    async def _connections(self) -> list[dict[str, Any]]:
        data, *_ = await self._call("GET", "/users/me/connections", what="list connections")
        conns = data.get("connections") if isinstance(data, dict) else None
        if not isinstance(conns, list):
            raise ProtocolChanged(f"connection {self.connection!r}: connections list has no 'connections'")
        wanted = self.options.get("powens_connection_ids")
        if not wanted:
            return conns
        wanted_ids = [int(w) for w in wanted]
        by_id = {c.get("id"): c for c in conns}
        missing = [w for w in wanted_ids if w not in by_id]
        if missing:
            raise ConfigError(f"connection {self.connection!r}: Powens connection(s) {missing} not found for "
                              f"this user token (found: {sorted(by_id)})")
        return [by_id[w] for w in wanted_ids]

    async def _refresh(self, cid: int) -> None:
        """Sync once (never retried on a bad state), poll while Powens is ``validating``, answer one
        code request (see the module docstring)."""
        data, _, status, _, _ = await self._call(
            "PUT", f"/users/me/connections/{cid}?psu_requested=false", what=f"sync Powens connection {cid}",
            ok=(200, 201, 202, 409))
        if status == 409 or not isinstance(data, dict):  # 409: already up to date; read the state
            data, *_ = await self._call("GET", f"/users/me/connections/{cid}", what=f"read connection {cid}")
        data = await self._poll(cid, data)
        if _state(data) == "additionalinformationneeded" and _code_field(data) is not None:
            data = await self._answer_code(cid, data)
        err = state_error(data.get("state"), connection=self.connection, powens_id=cid,
                          error_message=data.get("error_message"))
        if err is not None:
            raise err
        log.info("%s: Powens connection %s refreshed", self.connection, cid)

    async def _poll(self, cid: int, data: dict[str, Any]) -> dict[str, Any]:
        interval = float(self.options.get("poll_interval", 2.0))
        max_polls = int(self.options.get("max_polls", 30))
        polls = 0
        while _state(data) == "validating":
            if polls >= max_polls:
                raise TransientError(f"connection {self.connection!r}: Powens connection {cid} still "
                                     f"validating after {polls} polls")
            await asyncio.sleep(interval)
            data, *_ = await self._call("GET", f"/users/me/connections/{cid}", what=f"poll connection {cid}")
            polls += 1
        return data

    async def _answer_code(self, cid: int, data: dict[str, Any]) -> dict[str, Any]:
        """Ask a person for the one code the connection's ``fields`` name, post it once, read the outcome."""
        field = _code_field(data)
        assert field is not None
        name, label = str(field["name"]), str(field.get("label") or field["name"])
        where = f"connection {self.connection!r}: Powens connection {cid} asks for {label!r}"
        if self.otp is None:
            raise OtpUnavailable(f"{where}, and this run cannot ask anyone")
        request = OtpRequest(connection=self.connection, bank=self.bank, label=label, field=name,
                             timeout=float(self.options.get("otp_timeout", DEFAULT_TIMEOUT)),
                             pattern=field.get("regex") if isinstance(field.get("regex"), str) else None)
        log.info("%s: waiting up to %.0f s for a code (%s)", self.connection, request.timeout, label)
        code = await self.otp(request)
        if not code:
            raise OtpTimeout(f"{where}; no code was entered within {request.timeout:.0f} s, nothing was sent")
        self._secrets.append(code)
        answer, _, status, _, _ = await self._call(
            "POST", f"/users/me/connections/{cid}", json_body={name: code}, ok=(200, 201, 202, 400),
            what=f"post the code to Powens connection {cid}")
        bank_text = _bank_text(answer)
        if status == 400:
            raise OtpRefused(f"{where}: the code was refused (HTTP 400{bank_text})")
        if not isinstance(answer, dict):
            answer, *_ = await self._call("GET", f"/users/me/connections/{cid}", what=f"read connection {cid}")
        answer = await self._poll(cid, answer)
        if _state(answer) in ("additionalinformationneeded", "wrongpass"):
            raise OtpRefused(f"{where}: the code was not accepted (state {answer.get('state')!r}"
                             f"{_bank_text(answer)}); it may be wrong or expired")
        log.info("%s: code accepted by Powens connection %s", self.connection, cid)
        return answer

    # ------------------------------------------------------------------ accounts
    async def _accounts(self, cid: int) -> tuple[list[dict[str, Any]], set[int], RawArtifact]:
        path = f"/users/me/connections/{cid}/accounts?all"
        what = f"list accounts of Powens connection {cid}"
        data, body, status, ctype, rpath = await self._call("GET", path, what=what)
        accounts = self._account_list(data)
        activated: set[int] = set()
        if self.options.get("activate_accounts", True):
            for acc in accounts:
                if acc.get("disabled") and not acc.get("deleted"):
                    await self._call("POST", f"/users/me/accounts/{acc['id']}", json_body={"disabled": False},
                                     what=f"activate account {acc['id']}")
                    activated.add(acc["id"])
            if activated:
                log.info("%s: activated %d Powens account(s)", self.connection, len(activated))
                data, body, status, ctype, rpath = await self._call("GET", path, what=what)
                accounts = self._account_list(data)
        art = make_artifact(body, bank=self.bank, connection=self.connection, kind="json", resource="accounts",
                            request_path=rpath, http_status=status, content_type=ctype,
                            extra={"powens_connection_id": str(cid)})
        return accounts, activated, art

    def _account_list(self, data: Any) -> list[dict[str, Any]]:
        accounts = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(accounts, list) or not all(isinstance(a, dict) and "id" in a for a in accounts):
            raise ProtocolChanged(f"connection {self.connection!r}: accounts list has no 'accounts' with ids")
        return accounts

    # ------------------------------------------------------------------ transactions
    def _cursor(self) -> str | None:
        if self.state.max_source_updated_at is None:
            return None
        overlap = dt.timedelta(days=float(self.options.get("overlap_days", 2)))
        return (self.state.max_source_updated_at - overlap).strftime("%Y-%m-%d %H:%M:%S")

    async def _transactions(self, acc: dict[str, Any], cid: int, *, full: bool) -> AsyncIterator[RawArtifact]:
        aid = acc["id"]
        limit = max(1, min(int(self.options.get("page_limit", MAX_LIMIT)), MAX_LIMIT))
        cursor = None if full else self._cursor()
        window = f"last_update={quote(cursor)}" if cursor else f"min_date={FULL_HISTORY_FROM}&filter=date"
        base_path = f"/users/me/accounts/{aid}/transactions?limit={limit}&all&{window}"
        currency = acc.get("currency")
        extra = {"powens_connection_id": str(cid), "cursor": cursor or "full",
                 "currency": str(currency.get("id") if isinstance(currency, dict) else currency or "EUR")}
        url: URL | None = URL(self.base_url + base_path, encoded=True)
        offset, pages, seen = 0, 0, set()
        while url is not None:
            what = f"list transactions of account {aid}"
            data, body, status, ctype, rpath = await self._call("GET", url, what=what)
            rows = data.get("transactions") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ProtocolChanged(f"connection {self.connection!r}: {what}: no 'transactions' list")
            yield make_artifact(body, bank=self.bank, connection=self.connection, kind="json",
                                resource="transactions", account_ref=str(aid), request_path=rpath,
                                http_status=status, content_type=ctype, extra=extra)
            pages += 1
            seen.add(str(url))
            links = data.get("_links")
            if isinstance(links, dict):
                nxt = links.get("next")
                href = nxt.get("href") if isinstance(nxt, dict) else None
                url = self._follow(href) if href and rows else None
            elif "total" in data:
                offset += len(rows)
                total = int(data["total"])
                url = (URL(self.base_url + f"{base_path}&offset={offset}", encoded=True)
                       if rows and offset < total else None)
            else:
                url = None
            if url is not None and (str(url) in seen or pages >= MAX_PAGES):
                raise ProtocolChanged(f"connection {self.connection!r}: {what}: pagination does not end "
                                      f"(page {pages} points back to {redact_url(url, self._secrets)})")
        log.info("%s: account %s: %d page(s) (%s)", self.connection, aid, pages, "full" if not cursor else
                 f"since {cursor}")

    def _follow(self, href: str) -> URL:
        """Resolve an opaque ``_links.next.href``; refuse one pointing at another host (the bearer token
        must only go to the configured Powens domain)."""
        link = URL(href, encoded=True)
        if link.is_absolute():
            if link.origin() != self._origin:
                raise ProtocolChanged(f"connection {self.connection!r}: refusing to follow a next-page link "
                                      f"to another host ({link.host})")
            return link
        if href.startswith("/"):
            return URL(str(self._origin) + href, encoded=True)
        return URL(self.base_url + "/" + href, encoded=True)


def _state(data: Any) -> str:
    return str(data.get("state") or "").strip().lower() if isinstance(data, dict) else ""


def _code_field(data: dict[str, Any]) -> dict[str, Any] | None:
    """The one field a connection in ``additionalInformationNeeded`` asks for, or None (none or several)."""
    fields = data.get("fields")
    if not isinstance(fields, list):
        return None
    named = [f for f in fields if isinstance(f, dict) and f.get("name")]
    return named[0] if len(named) == 1 else None


def _bank_text(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    text = data.get("error_message") or data.get("description") or data.get("message")
    code = data.get("code")
    parts = [p for p in (f"code {code}" if isinstance(code, str) else None,
                         f"bank says: {str(text)[:200]}" if text else None) if p]
    return ", " + ", ".join(parts) if parts else ""
