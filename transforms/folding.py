"""Label text as every rule sees it: folded (:func:`fold`), masked for caching (:func:`_mask`), and the
rule data files (``transforms/rules/*.toml``) loaded. Shared by :mod:`transforms.categorize` and
:mod:`transforms.hints`."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from importlib import resources
from typing import Any


def fold(text: str) -> str:
    """Upper case, accents removed, whitespace collapsed: the form every pattern is matched against."""
    if text.isascii():
        return " ".join(text.upper().split())
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _load_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("transforms.rules").joinpath(name).read_text("utf-8"))


# Speed: labels of one merchant differ mostly by their dates and long reference numbers. Those spans are
# masked (every digit -> 0, shape kept) and the results cached on the masked label. This is exact because
# no pattern in rules/*.toml looks at the value of a digit inside a date or a 6+-digit run, only at its
# shape (\d{2}/\d{2}, \d{6,}): keep it that way when editing the data files.
_SHAPED = re.compile(r"\d{2}[/.]\d{2}(?:[/.]\d{2,4})?|\d{6,}")
_ZEROS = str.maketrans("0123456789", "0000000000")


def _mask(label_raw: str) -> str:
    return _SHAPED.sub(lambda m: m.group().translate(_ZEROS), label_raw)
