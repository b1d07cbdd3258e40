"""The simulator's own keypad images (never the bank's): one SVG per digit, drawn deterministically.

Like the bank's (reference/boursorama.md §3.1): ``viewBox="0 0 42 42"``, fill ``#003883``, one path for the digit plus
one path per phone-keypad letter (2=ABC … 9=WXYZ). The digit is drawn as seven-segment strokes, so each
digit has a distinct path. ``glyph_set="unknown"`` shifts every path by one unit: same look, unseen
fingerprints, to exercise the connector's "keypad changed" error.
"""
from __future__ import annotations

import base64

LETTERS = {0: "", 1: "", 2: "ABC", 3: "DEF", 4: "GHI", 5: "JKL", 6: "MNO", 7: "PQRS", 8: "TUV", 9: "WXYZ"}

# seven segments a..g as (x, y, width, height) rectangles in a 12x20 box at (15, 6)
_SEGMENTS = {"a": (2, 0, 8, 2), "b": (10, 2, 2, 7), "c": (10, 11, 2, 7), "d": (2, 18, 8, 2),
             "e": (0, 11, 2, 7), "f": (0, 2, 2, 7), "g": (2, 9, 8, 2)}
_DIGIT_SEGMENTS = {0: "abcdef", 1: "bc", 2: "abged", 3: "abgcd", 4: "fgbc", 5: "afgcd", 6: "afgedc",
                   7: "abc", 8: "abcdefg", 9: "abfgcd"}


def _digit_path(digit: int, shift: int) -> str:
    parts = []
    for seg in _DIGIT_SEGMENTS[digit]:
        x, y, w, h = _SEGMENTS[seg]
        parts.append(f"M{15 + x + shift} {6 + y}h{w}v{h}h-{w}z")
    return " ".join(parts)


def _letter_path(letter: str, index: int, count: int, shift: int) -> str:
    # a small chevron whose shape depends on the letter, laid out under the digit
    x = 21 - 3 * count + 6 * index + shift
    k = ord(letter) - ord("A")
    return f"M{x} 36l{1 + k % 3} -{2 + k % 4}l{1 + k % 2} {2 + k % 4}h-{1 + k % 5}z"


def glyph_svg(digit: int, glyph_set: str = "sim-v1") -> str:
    """The SVG document for one digit."""
    shift = 1 if glyph_set == "unknown" else 0
    paths = [_digit_path(digit, shift)]
    letters = LETTERS[digit]
    paths += [_letter_path(ch, i, len(letters), shift) for i, ch in enumerate(letters)]
    body = "".join(f'<path fill="#003883" d="{d}"/>' for d in paths)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 42 42">{body}</svg>'


def glyph_src(digit: int, glyph_set: str = "sim-v1") -> str:
    """The ``src`` attribute, with the bank's quirk: a space after ``base64,``."""
    b64 = base64.b64encode(glyph_svg(digit, glyph_set).encode()).decode()
    return "data:image/svg+xml;base64, " + b64
