"""What every bank's parser does the same way to an account: its type in one vocabulary
(``account_types.toml``) and its card number masked like the banks that mask it themselves."""
from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

#: bankflow's account types, in the order of account_types.toml
TYPES = ("checking", "savings", "card", "loan", "investment", "life_insurance", "retirement", "other")
_PAN = re.compile(r"^\d{12,19}$")


@cache
def _words() -> dict[str, str]:
    data = tomllib.loads(resources.files("connectors").joinpath("account_types.toml").read_text("utf-8"))
    assert set(data) == set(TYPES), f"account_types.toml: types {sorted(data)} != {sorted(TYPES)}"
    return {w.casefold(): t for t, words in data.items() for w in words}


def account_type(word: str | None) -> str | None:
    """The bankflow type of a bank's account-type word (``"current"`` -> ``"checking"``); ``"other"``
    for a word nobody listed, None when the bank gave none."""
    if word is None or not str(word).strip():
        return None
    return _words().get(str(word).strip().casefold(), "other")


def mask_card_number(number: str | None) -> str | None:
    """A full card number (12-19 digits, spaces allowed) as Boursorama prints it: the first four and the
    last four digits, stars between (``4974********6461``). Anything else is returned unchanged (an
    account number, or a number the bank already masked)."""
    if number is None:
        return None
    digits = number.replace(" ", "")
    if not _PAN.match(digits):
        return number
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
