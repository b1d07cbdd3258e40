"""The connector contract (docs/design.md §3).

A bank package exposes ``SPEC = ConnectorSpec(...)`` in its ``__init__``. The runner:

1. resolves the connection's credentials (never stored, never logged: see :class:`Credentials`);
2. opens one ``aiohttp.ClientSession`` for the connection's run (:func:`connectors.http.open_session`);
3. instantiates ``spec.client(...)`` and iterates ``fetch()``, landing each :class:`RawArtifact`;
4. later, parses each landed artifact with ``spec.parse(body, meta)`` (a pure function).
"""
from __future__ import annotations

import abc
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, ClassVar, Protocol

import aiohttp

from connectors.artifact import ArtifactMeta, RawArtifact
from connectors.otp import OtpProvider
from connectors.records import ParsedBatch


class Credentials:
    """Resolved secret values for one connection. ``repr``/``str`` never show them, so a stray log
    line or exception cannot leak them."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name, default)

    def secret_values(self) -> list[str]:
        """All values, for the redaction layer."""
        return [v for v in self._values.values() if v]

    def __repr__(self) -> str:
        return f"Credentials({', '.join(sorted(self._values))}: ***)"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the warehouse already knows about a connection; connectors pick their cursor from it."""

    #: highest server-side ``last_update`` loaded (naive, in the bank's own clock)
    max_source_updated_at: dt.datetime | None = None
    #: latest booking date loaded
    max_booking_date: dt.date | None = None
    #: ``(resource, document_id)`` of every document already landed for this connection (the runner
    #: fills it from the raw store: ``ArtifactMeta.extra["document_id"]``). A client skips downloading a
    #: document it finds here (a monthly statement never changes once issued) and does not yield a
    #: listing whose stable content (see :func:`connectors.artifact.content_id`) is already known.
    known_documents: frozenset[tuple[str, str]] = frozenset()

    def knows(self, resource: str, document_id: str) -> bool:
        """Whether a document of ``resource`` with this id was landed by an earlier run."""
        return (resource, document_id) in self.known_documents


class Connector(abc.ABC):
    """Async client for one connection. Subclasses implement :meth:`fetch`."""

    bank: ClassVar[str]

    def __init__(self, *, connection: str, base_url: str, session: aiohttp.ClientSession,
                 credentials: Credentials, options: Mapping[str, Any] | None = None,
                 state: SyncState | None = None, today: dt.date | None = None,
                 otp: OtpProvider | None = None) -> None:
        self.connection = connection
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.credentials = credentials
        self.options = dict(options or {})
        self.state = state or SyncState()
        self.today = today or dt.date.today()
        #: asks a person for a one-time code (connectors/otp.py); None: nobody can be asked in this run
        self.otp = otp

    def statements_mode(self) -> str:
        """Option ``statements``: ``"auto"`` (the bank's default: statements where the API stops),
        ``"always"`` (every statement, e.g. for ``bankflow backfill``) or ``"never"``."""
        v = self.options.get("statements", "auto")
        mode = {True: "always", False: "never"}.get(v, v) if isinstance(v, bool) else v
        if mode not in ("auto", "always", "never"):
            from connectors.errors import ConfigError
            raise ConfigError(f"connection {self.connection!r}: option statements = {v!r}; "
                              "expected \"auto\", \"always\" or \"never\"")
        return mode

    def option_date(self, name: str) -> dt.date | None:
        """An ISO date option (e.g. ``statements_since``), or None."""
        v = self.options.get(name)
        if v in (None, ""):
            return None
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            from connectors.errors import ConfigError
            raise ConfigError(f"connection {self.connection!r}: option {name} = {v!r} is not a YYYY-MM-DD date") from None

    @abc.abstractmethod
    def fetch(self) -> AsyncIterator[RawArtifact]:
        """Yield every raw payload this run needs. Raise a :mod:`connectors.errors` class on failure."""


@dataclass(frozen=True, slots=True)
class TruthRow:
    """One booked transaction of a simulator's ground-truth ledger."""

    bank: str
    connection: str
    account_number: str
    booking_date: dt.date
    amount: Decimal
    label: str


@dataclass(slots=True)
class SandboxConnection:
    """A connection a sandbox serves: what to put in bankflow.toml, plus the secret values (which the
    demo passes through environment variables, never through the file)."""

    name: str
    bank: str
    base_url: str
    options: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


class Sandbox(Protocol):
    """A running simulator. ``truth()`` returns its ground truth for its connections."""

    url: str
    connections: list[SandboxConnection]

    def truth(self) -> list[TruthRow]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    """What a bank package declares (dlt-style: the resources it yields and how they are keyed live in
    the parser's records; this declares the pieces)."""

    bank: str
    title: str
    client: type[Connector]
    parse: Callable[[bytes, ArtifactMeta], ParsedBatch]
    #: names of the secret fields a connection needs (e.g. ``("token",)``, ``("login", "password")``)
    credential_fields: tuple[str, ...]
    #: ``parse_chunks(source, meta) -> Iterator[ParsedBatch]``: the same records as ``parse``, in batches of a
    #: bounded number of transactions (the last batch carries accounts, balances and statements), for
    #: payloads that can be large (a user's multi-year CSV export). ``source``: the bytes or a seekable
    #: binary file (the landed file, read as it is parsed). None: ``parse`` only
    parse_chunks: Callable[[bytes | BinaryIO, ArtifactMeta], Iterator[ParsedBatch]] | None = None
    #: ``async start_sandbox(host, **knobs) -> Sandbox``; None if the bank has no simulator
    start_sandbox: Callable[..., Any] | None = None
    #: ``sniff_import(body, filename) -> bool``: does ``bankflow import`` hand this file to this bank?
    sniff_import: Callable[[bytes, str], bool] | None = None
    #: True when the bank's transaction ids are unique and stable (Budgea): identity then keys on them;
    #: otherwise on content plus an occurrence index (docs/design.md §6)
    unique_txn_ids: bool = False
    #: connections of this bank fetched at once in one run: web banks get few (they dislike bursts
    #: from one client), an aggregation API built for it more
    max_parallel: int = 4
