"""Statement layouts kept as data (``layouts/*.toml``) and layout identification.

A new bank is a new TOML file plus fixtures, not new code. See ``layouts/lcl.toml`` for the keys.
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
LAYOUT_DIR = HERE / "layouts"
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
        raise ValueError(f"{path.name}: only amount_mode = 'two_columns' is implemented")
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


@functools.lru_cache(maxsize=1)
def load_layouts() -> tuple[Layout, ...]:
    """Every layout file, in file-name order."""
    return tuple(_load(p) for p in sorted(LAYOUT_DIR.glob("*.toml")))


@functools.lru_cache(maxsize=1)
def non_statement_markers() -> dict[str, str]:
    raw = tomllib.loads(NON_STATEMENTS.read_text(encoding="utf-8"))
    return {norm(k): v for k, v in raw["markers"].items()}


@functools.lru_cache(maxsize=1)
def layouts_fingerprint() -> str:
    """sha256 over the layout data files: a cached parse made with other layouts is stale."""
    h = hashlib.sha256()
    for p in sorted(LAYOUT_DIR.glob("*.toml")) + [NON_STATEMENTS]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()
