"""Virtual keypad: read the fragment, identify each digit from a fingerprint table, encode a password.

The fragment (``GET /connexion/clavier-virtuel?_hinclude=1``, boursorama.md §3) holds ten buttons, each with a
``data-matrix-key`` (3 letters, new on every load) and an ``<img>`` whose ``src`` is a base64 SVG — with a
**space after** ``base64,``. The password sent is the keys of the digits joined by ``|``.

Digits are identified by the *canonical fingerprint* of boursorama.md §3.1: sha-256 of the ``d`` attributes of
every ``<path>`` (document order, whitespace collapsed, joined by ``|``). Known fingerprints live in
``keypad_glyphs.json`` as data (the bank's current set, given as 16-hex prefixes, and the simulator's set).
A keypad is accepted only if its ten buttons give ten distinct known digits covering 0–9; anything else is
``ProtocolChanged("keypad changed")``. Lengths and path counts are never used to guess.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.errors import ProtocolChanged

GLYPHS_FILE = Path(__file__).with_name("keypad_glyphs.json")
_PATH_D = re.compile(r"<path\b[^>]*?\sd\s*=\s*([\"'])(.*?)\1", re.S | re.I)
_CHALLENGE = re.compile(r"data-matrix-random-challenge\]\"\)\.val\(\"([^\"]+)\"")
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Keypad:
    keys: dict[int, str]     # digit -> matrix key of this load
    challenge: str

    def encode(self, password: str) -> str:
        """Matrix keys of the password's digits joined by ``|`` (a repeated digit repeats its key)."""
        if not password.isdigit():
            raise ValueError("the Boursorama password must be digits only")
        return "|".join(self.keys[int(ch)] for ch in password)


@cache
def known_fingerprints() -> tuple[tuple[str, int, str], ...]:
    """(fingerprint or 16+-hex prefix, digit, glyph set) rows from keypad_glyphs.json."""
    rows = json.loads(GLYPHS_FILE.read_text("utf-8"))["glyphs"]
    return tuple((r["fp"].lower(), int(r["digit"]), r["glyph_set"]) for r in rows)


def svg_fingerprint(svg: str) -> str:
    """Canonical fingerprint of one SVG document (reference/boursorama.md §3.1)."""
    ds = [_WS.sub(" ", m.group(2)).strip() for m in _PATH_D.finditer(svg)]
    return hashlib.sha256("|".join(ds).encode()).hexdigest()


def decode_src(src: str) -> str:
    """SVG text from a ``data:image/svg+xml;base64, ...`` URL (the space after the comma is the bank's)."""
    _, sep, payload = src.partition("base64,")
    if not sep:
        raise ProtocolChanged("Boursorama keypad changed: an image is not a base64 data URL")
    try:
        return base64.b64decode(_WS.sub("", payload), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ProtocolChanged("Boursorama keypad changed: an image is not valid base64 SVG") from None


def digit_for(fp: str) -> int | None:
    for known, digit, _set in known_fingerprints():
        if fp.startswith(known):
            return digit
    return None


def parse_keypad(html: str) -> Keypad:
    """Read the keypad fragment. Raises ProtocolChanged when the markup or the glyphs are not known."""
    tree = HTMLParser(html)
    buttons = tree.css("[data-matrix-key]")
    m = _CHALLENGE.search(html)
    if not buttons or not m:
        raise ProtocolChanged("Boursorama keypad changed: no data-matrix-key buttons or no random challenge "
                              "in the keypad fragment")
    keys: dict[int, str] = {}
    unknown: list[str] = []
    for button in buttons:
        key = button.attributes.get("data-matrix-key") or ""
        img = button.css_first("img")
        src = (img.attributes.get("src") if img else None) or ""
        svg = decode_src(src)
        fp = svg_fingerprint(svg)
        digit = digit_for(fp)
        if digit is None:
            unknown.append(f"{fp[:16]} ({len(_PATH_D.findall(svg))} paths)")
        elif digit in keys:
            raise ProtocolChanged(f"Boursorama keypad changed: digit {digit} appears twice")
        else:
            keys[digit] = key
    if unknown or len(keys) != 10:
        raise ProtocolChanged(
            f"Boursorama keypad changed: {len(unknown)} unknown fingerprints "
            f"[{', '.join(unknown)}] and {len(keys)} of 10 digits known; add the new glyph set to "
            f"{GLYPHS_FILE.name} (never guess a digit)")
    return Keypad(keys=keys, challenge=m.group(1))
