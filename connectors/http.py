"""The one HTTP layer every connector uses: a session factory with client middlewares.

* **Retry** lives here and only here (docs/design.md §3.2). Idempotent requests
  (GET, HEAD, OPTIONS, PUT, DELETE) are retried on connection errors, timeouts, 5xx and 429, with
  exponential backoff and jitter; 429's ``Retry-After`` is honoured (capped). A POST is never replayed
  (it may create something, or submit a password: a replayed wrong password can lock an account).
  Flows and Prefect tasks do not retry on top of this.
* **Pacing**: an optional minimum interval between requests of one connection, so a bank is never
  hammered.
* **Redaction**: the debug log line of each request shows the path with secret query values and any
  credential value replaced by ``***``.
"""
from __future__ import annotations

import asyncio
import logging
import random
import re
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import aiohttp
from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

from connectors.errors import RateLimited, TransientError

log = logging.getLogger("bankflow.http")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504, 429})
SECRET_PARAM = re.compile(r"(token|password|passwd|pin|secret|code|session|auth|key)", re.I)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4            # total tries, first included
    base_delay: float = 0.25     # seconds; doubles each try
    max_delay: float = 8.0
    max_retry_after: float = 120.0  # cap on a server's Retry-After


def redact_url(url: URL | str, secrets: Iterable[str] = ()) -> str:
    """Path and query of ``url`` with secret-looking query values and known secret strings masked.
    The host is dropped: raw metadata records the request path, not where the bank lives."""
    u = URL(str(url))
    query = [(k, "***" if SECRET_PARAM.search(k) else v) for k, v in u.query.items()]
    path = URL.build(path=u.path, encoded=True) if u.path else URL("/")
    text = str(path.with_query(query)) if query else u.path
    for s in secrets:
        if s and len(s) >= 4:
            text = text.replace(s, "***")
    return text


def retry_after_seconds(resp: ClientResponse, default: float = 1.0) -> float:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    raw = resp.headers.get("Retry-After")
    if not raw:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
        except (TypeError, ValueError):
            return default


class Middlewares:
    """Pacing, retry and redacted logging for one connection's session."""

    def __init__(self, *, connection: str, secrets: Iterable[str], policy: RetryPolicy,
                 min_interval: float = 0.0) -> None:
        self.connection = connection
        self.secrets = [s for s in secrets if s]
        self.policy = policy
        self.min_interval = min_interval
        self._next_slot = 0.0
        self._lock = asyncio.Lock()
        self.requests = 0
        self.retries = 0
        #: seconds the layer chose to wait before each retry (a server's Retry-After, or backoff)
        self.waits: list[float] = []

    async def _pace(self) -> None:
        if self.min_interval <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self.min_interval
        if wait > 0:
            await asyncio.sleep(wait)

    def _delay(self, attempt: int) -> float:
        d = min(self.policy.max_delay, self.policy.base_delay * (2 ** attempt))
        return d * (0.5 + random.random() / 2)

    async def __call__(self, req: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        retryable = req.method.upper() in IDEMPOTENT
        attempts = self.policy.attempts if retryable else 1
        for attempt in range(attempts):
            await self._pace()
            self.requests += 1
            started = time.monotonic()
            try:
                resp = await handler(req)
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                log.debug("%s %s %s failed: %s", self.connection, req.method,
                          redact_url(req.url, self.secrets), type(exc).__name__)
                if attempt + 1 >= attempts:
                    raise TransientError(
                        f"connection {self.connection!r}: {req.method} {redact_url(req.url, self.secrets)} "
                        f"failed after {attempt + 1} tries ({type(exc).__name__})") from None
                self.retries += 1
                wait = self._delay(attempt)
                self.waits.append(wait)
                await asyncio.sleep(wait)
                continue
            log.debug("%s %s %s -> %s in %.0f ms", self.connection, req.method,
                      redact_url(req.url, self.secrets), resp.status, (time.monotonic() - started) * 1000)
            if resp.status not in RETRY_STATUSES or attempt + 1 >= attempts:
                return resp
            if resp.status == 429:
                wait = min(retry_after_seconds(resp), self.policy.max_retry_after)
            else:
                wait = self._delay(attempt)
            resp.release()
            self.retries += 1
            self.waits.append(wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def open_session(*, connection: str, secrets: Iterable[str] = (), policy: RetryPolicy | None = None,
                 min_interval: float = 0.0, timeout: float = 120.0,
                 headers: dict[str, str] | None = None) -> aiohttp.ClientSession:
    """One session per connection per run, with the bankflow middlewares. The caller closes it
    (``async with open_session(...) as s``). Each connection gets its own cookie jar: bank cookies
    must not mix."""
    mw = Middlewares(connection=connection, secrets=secrets, policy=policy or RetryPolicy(),
                     min_interval=min_interval)
    session = aiohttp.ClientSession(
        middlewares=(mw,),
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers=headers,
        cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: simulators live on 127.0.0.1 (an IP)
    )
    _STATS[session] = mw
    return session


_STATS: "weakref.WeakKeyDictionary[aiohttp.ClientSession, Middlewares]" = weakref.WeakKeyDictionary()


def session_stats(session: aiohttp.ClientSession) -> Middlewares | None:
    """The middleware object of a session made by :func:`open_session` (request and retry counts)."""
    return _STATS.get(session)


def raise_for_status(resp: ClientResponse, *, connection: str, what: str) -> None:
    """Map leftover 429/5xx (after the retry layer gave up) to typed errors."""
    if resp.status == 429:
        raise RateLimited(f"connection {connection!r}: {what}: the bank is rate limiting (HTTP 429)",
                          retry_after=retry_after_seconds(resp))
    if resp.status >= 500:
        raise TransientError(f"connection {connection!r}: {what}: HTTP {resp.status} from the bank")
