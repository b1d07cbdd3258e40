"""Statement layouts kept as data, discovered in the bank folders, and layout identification.

Each bank keeps its statement layout in its own folder: ``connectors/<bank>/statements/layout*.toml``
(what the parser reads; see ``connectors/lcl/statements/layout.toml`` for the keys). Nothing here lists
banks: every folder on ``connectors.__path__`` is searched, as the registry does for ``SPEC``. A new
bank's layout is a new file in its folder plus fixtures, not new code.
"""
from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
#: where a bank folder keeps its statement files (layout, renderer geometry, golden fixtures)
BANK_STATEMENTS = "statements"
LAYOUT_GLOB = f"*/{BANK_STATEMENTS}/layout*.toml"
NON_STATEMENTS = HERE / "non_statements.toml"
COLUMNS = ("date", "label", "value_date", "debit", "credit")


def norm(text: str) -> str:
    """Upper-case, accents removed, NBSP/U+202F as spaces: how identifiers and patterns are compared."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@dataclass(frozen=True)
class Layout:
    id: str
    bank: str
    identifiers: tuple[str, ...]
    period: re.Pattern[str]
    account: re.Pattern[str]
    header: dict[str, str]           # column -> header word (normalised)
    booking_fmt: str
    value_fmt: str
    opening: tuple[re.Pattern[str], ...]
    closing: tuple[re.Pattern[str], ...]
    intermediate: tuple[re.Pattern[str], ...]
    totals: tuple[re.Pattern[str], ...]
    footer: tuple[re.Pattern[str], ...]
    skip: tuple[re.Pattern[str], ...]

    def matches(self, page_text_norm: str) -> bool:
        return all(norm(i) in page_text_norm for i in self.identifiers)


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def _load(path: Path) -> Layout:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    if raw.get("amount_mode") != "two_columns":
        raise ValueError(f"{path}: only amount_mode = 'two_columns' is implemented")
    header = {col: norm(raw["header"][col]) for col in COLUMNS}
    pats = raw["patterns"]
    return Layout(
        id=raw["id"], bank=raw["bank"], identifiers=tuple(raw["identifiers"]),
        period=re.compile(raw["period"]), account=re.compile(raw["account"]), header=header,
        booking_fmt=raw["dates"]["booking"], value_fmt=raw["dates"]["value"],
        opening=_compile(pats["opening"]), closing=_compile(pats["closing"]),
        intermediate=_compile(pats.get("intermediate", [])), totals=_compile(pats["totals"]),
        footer=_compile(pats.get("footer", [])), skip=_compile(pats.get("skip", [])),
    )


def bank_roots() -> list[Path]:
    """The folders holding bank packages (``connectors.__path__``: one in a normal install)."""
    import connectors

    return [Path(p) for p in connectors.__path__]


def bank_files(pattern: str) -> list[Path]:
    """Files matching ``pattern`` (e.g. ``*/statements/layout*.toml``) under every bank root, sorted by
    their path below the root (so the order does not depend on where bankflow is installed)."""
    found = [(p.relative_to(root).as_posix(), p) for root in bank_roots() for p in root.glob(pattern)]
    return [p for _, p in sorted(found)]


def layout_files() -> list[Path]:
    """Every bank's statement layout file."""
    return bank_files(LAYOUT_GLOB)


@functools.lru_cache(maxsize=1)
def load_layouts() -> tuple[Layout, ...]:
    """Every discovered layout, in bank folder order; two layouts with one id are refused."""
    layouts = tuple(_load(p) for p in layout_files())
    ids = [lay.id for lay in layouts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"statement layout id(s) {dupes} defined twice in {[str(p) for p in layout_files()]}")
    return layouts


def reset_caches() -> None:
    """Forget discovered layouts (after a bank folder was added at run time, e.g. by a test; the
    renderer's geometries are forgotten by :func:`connectors.statements.reset_discovery`)."""
    load_layouts.cache_clear()
    layouts_fingerprint.cache_clear()


@functools.lru_cache(maxsize=1)
def non_statement_markers() -> dict[str, str]:
    raw = tomllib.loads(NON_STATEMENTS.read_text(encoding="utf-8"))
    return {norm(k): v for k, v in raw["markers"].items()}


@functools.lru_cache(maxsize=1)
def layouts_fingerprint() -> str:
    """sha256 over every discovered layout file and the non-statement markers: a cached parse made
    with other layouts (one changed, added or removed) is stale."""
    h = hashlib.sha256()
    for p in layout_files() + [NON_STATEMENTS]:
        h.update(f"{p.parent.parent.name}/{p.name}".encode())
        h.update(p.read_bytes())
    return h.hexdigest()
