"""RawArtifact: the bytes a bank sent, plus metadata that never holds a secret."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["csv", "json", "pdf", "html"]

#: file extension per kind, used by the raw store
EXTENSIONS: dict[str, str] = {"csv": "csv", "json": "json", "pdf": "pdf", "html": "html"}


@dataclass(frozen=True, slots=True)
class ArtifactMeta:
    """Everything about a payload except its bytes. Stored as ``<sha256>.meta.json`` beside the bytes.

    ``request_path`` is the path and query *without* secrets (the connector builds it from non-secret
    parts; :func:`connectors.http.redact_url` is applied again on landing). ``resource`` names what the
    payload is (``accounts``, ``transactions``, ``statement``...) so the parser knows what to expect.
    """

    bank: str
    connection: str
    kind: Kind
    resource: str
    sha256: str
    size: int
    fetched_at: dt.datetime
    account_ref: str | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    request_path: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    source_name: str | None = None  # original file name for user-imported files
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in list(d.items()):
            if isinstance(v, (dt.date, dt.datetime)):
                d[k] = v.isoformat()
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "ArtifactMeta":
        d = dict(d)
        d["fetched_at"] = dt.datetime.fromisoformat(d["fetched_at"])
        for k in ("window_start", "window_end"):
            if d.get(k):
                d[k] = dt.date.fromisoformat(d[k])
        d["extra"] = dict(d.get("extra") or {})
        return cls(**d)


@dataclass(frozen=True, slots=True)
class RawArtifact:
    body: bytes
    meta: ArtifactMeta


def make_artifact(body: bytes, *, bank: str, connection: str, kind: Kind, resource: str,
                  fetched_at: dt.datetime | None = None, **meta: Any) -> RawArtifact:
    """Build an artifact, computing sha256 and size from the bytes."""
    fetched = fetched_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    m = ArtifactMeta(bank=bank, connection=connection, kind=kind, resource=resource,
                     sha256=hashlib.sha256(body).hexdigest(), size=len(body), fetched_at=fetched, **meta)
    return RawArtifact(body=body, meta=m)


def content_id(value: Any) -> str:
    """A stable id for a listing's content: sha256 of its canonical JSON (sorted keys, no spaces). The
    connector passes the listing with its volatile parts removed (e.g. LCL's single-use download tokens),
    so the same list of documents gets the same id on every run; stored as ``extra["document_id"]``."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "c" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
