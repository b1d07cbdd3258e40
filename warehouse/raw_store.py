"""Landing: an immutable, content-addressed store of every payload a bank sent.

Layout: ``<data>/raw/<bank>/<connection>/<YYYY>/<MM>/<sha256>.<ext>`` plus ``<sha256>.meta.json``.
Landing the same bytes twice (same bank and connection) is a no-op: the first copy and its metadata
stay. Writes are atomic (temp file + rename); the metadata is written before the bytes, and a file counts
as landed only once its bytes are there, so a crash never leaves a half file that looks complete.
Metadata is checked for secrets before it is written (:func:`scrub_meta`).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from connectors.artifact import EXTENSIONS, ArtifactMeta, RawArtifact
from connectors.http import redact_url


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: metadata fields bankflow computes itself (digest, size, clock, status): never a secret, and their digits
#: can hold a numeric PIN by chance (a 6-digit PIN is the microseconds of one fetch in a million; CI once
#: refused a payload so), so they are not searched
COMPUTED_FIELDS = frozenset({"sha256", "size", "fetched_at", "http_status"})


def scrub_meta(meta: ArtifactMeta, secrets: Iterable[str]) -> ArtifactMeta:
    """Re-redact the request path and refuse metadata whose connector-given fields (request path,
    account, window, names, extra) still carry a secret value."""
    secrets = [s for s in secrets if s]
    clean = replace(meta, request_path=redact_url(meta.request_path, secrets) if meta.request_path else None)
    text = json.dumps({k: v for k, v in clean.to_json().items() if k not in COMPUTED_FIELDS})
    for s in secrets:
        if len(s) >= 4 and s in text:
            raise ValueError(f"artifact metadata for {meta.bank}/{meta.connection} would contain a secret; "
                             "refusing to land it")
    return clean


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, meta: ArtifactMeta) -> Path:
        return self.root / meta.bank / meta.connection / f"{meta.fetched_at:%Y}" / f"{meta.fetched_at:%m}"

    def find(self, bank: str, connection: str, sha256: str) -> Path | None:
        """The landed bytes of ``sha256`` for this connection, in any month, or None. Asks for the few
        possible names in each month folder rather than listing the folders (called for every payload a
        sync fetches; a glob read every file name the connection ever landed: a cost growing with its
        history, paid on the event loop)."""
        names = [f"{sha256}.{ext}" for ext in dict.fromkeys(EXTENSIONS.values())]
        for month in self._months(self.root / bank / connection):
            for name in names:
                if os.path.isfile(p := os.path.join(month, name)):
                    return Path(p)
        return None

    @staticmethod
    def _months(base: Path) -> list[str]:
        """The ``YYYY/MM`` folders under a connection's folder, oldest first."""
        def folders(path: str | Path) -> list[str]:
            try:
                with os.scandir(path) as it:
                    return sorted(e.path for e in it if e.is_dir() and not e.name.startswith("."))
            except (FileNotFoundError, NotADirectoryError):
                return []
        return [m for year in folders(base) for m in folders(year)]

    def land(self, artifact: RawArtifact, *, secrets: Iterable[str] = ()) -> tuple[Path, bool]:
        """Store an artifact. Returns (path, True) if new, (existing path, False) if already there."""
        meta = scrub_meta(artifact.meta, secrets)
        existing = self.find(meta.bank, meta.connection, meta.sha256)
        if existing is not None:
            return existing, False
        d = self._dir(meta)
        path = d / f"{meta.sha256}.{EXTENSIONS[meta.kind]}"
        _atomic_write(d / f"{meta.sha256}.meta.json", json.dumps(meta.to_json(), indent=1).encode())
        _atomic_write(path, artifact.body)
        self._note_document(meta)
        return path, True

    # Known documents: (resource, extra["document_id"]) of every landed payload that has one (statements,
    # listings), so a sync need not download them again. Kept in ``<bank>/<connection>/.documents``
    # (one "resource<TAB>id" line each), appended once the bytes are landed; when the index is missing
    # (a data dir from before it, or a deleted file) it is rebuilt from the metadata files. A line lost in
    # a crash only means one re-download, which lands nothing new (same bytes).
    def _documents_index(self, bank: str, connection: str) -> Path:
        return self.root / bank / connection / ".documents"

    def _note_document(self, meta: ArtifactMeta) -> None:
        doc = meta.extra.get("document_id")
        index = self._documents_index(meta.bank, meta.connection)
        if doc and index.exists():
            with index.open("a", encoding="utf-8") as f:
                f.write(f"{meta.resource}\t{doc}\n")

    def documents(self, bank: str, connection: str) -> frozenset[tuple[str, str]]:
        """``(resource, document_id)`` of every payload landed for this connection with a document id."""
        index = self._documents_index(bank, connection)
        if index.exists():
            lines = index.read_text("utf-8").splitlines()
            return frozenset(tuple(ln.split("\t", 1)) for ln in lines if "\t" in ln)  # type: ignore[misc]
        found: set[tuple[str, str]] = set()
        for p in self.iter_paths(bank, connection):
            meta = json.loads(self.meta_path(p).read_text("utf-8"))
            doc = (meta.get("extra") or {}).get("document_id")
            if doc:
                found.add((meta["resource"], doc))
        _atomic_write(index, "".join(f"{r}\t{d}\n" for r, d in sorted(found)).encode())
        return frozenset(found)

    # A connection is "dirty" from its first landing in a run until that run's load committed: only
    # then does the next run need to look for landed-but-unloaded payloads (a crash, a failed run).
    def _dirty_marker(self, bank: str, connection: str) -> Path:
        return self.root / bank / connection / ".unloaded"

    def mark_dirty(self, bank: str, connection: str) -> None:
        m = self._dirty_marker(bank, connection)
        m.parent.mkdir(parents=True, exist_ok=True)
        m.touch()

    def is_dirty(self, bank: str, connection: str) -> bool:
        return self._dirty_marker(bank, connection).exists()

    def mark_clean(self, bank: str, connection: str) -> None:
        self._dirty_marker(bank, connection).unlink(missing_ok=True)

    def discard(self, path: Path) -> None:
        """Remove a payload landed by this very call chain that turned out unreadable (a user import that
        failed to parse): a refused file leaves no trace. Never used on bank-fetched payloads."""
        self.meta_path(path).unlink(missing_ok=True)
        path.unlink(missing_ok=True)

    def find_all(self, bank: str, sha256: str) -> list[Path]:
        """Every landed copy of a payload of ``bank`` (one per connection that landed it)."""
        return [p for p in sorted((self.root / bank).glob(f"*/*/*/{sha256}.*"))
                if not p.name.endswith(".meta.json") and not p.name.startswith(".tmp-")]

    def move_out(self, path: Path, dest_root: Path) -> Path:
        """Move a landed payload and its metadata out of the store, to the same relative place under
        ``dest_root`` (a payload the warehouse refused: kept for a bug report, never loaded again by
        ``rebuild``). The bytes go first: without them the metadata alone is not a landed payload."""
        rel = path.relative_to(self.root)
        target = Path(dest_root) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        meta = self.meta_path(path)
        if meta.exists():
            os.replace(meta, self.meta_path(target))
        return target

    @staticmethod
    def meta_path(path: Path) -> Path:
        return path.with_name(path.name.split(".", 1)[0] + ".meta.json")

    def read(self, path: Path) -> RawArtifact:
        return RawArtifact(body=path.read_bytes(), meta=self.read_meta(path))

    def read_meta(self, path: Path) -> ArtifactMeta:
        """The metadata of a landed payload, without its bytes (a large one is then read as a stream)."""
        return ArtifactMeta.from_json(json.loads(self.meta_path(path).read_text("utf-8")))

    def iter_paths(self, bank: str | None = None, connection: str | None = None) -> Iterator[Path]:
        """Every landed payload, oldest month first, for ``rebuild`` and recovery."""
        base = self.root
        pattern = f"{bank or '*'}/{connection or '*'}/*/*/*"
        for p in sorted(base.glob(pattern)):
            if p.is_file() and not p.name.endswith(".meta.json") and not p.name.startswith(".tmp-"):
                yield p
