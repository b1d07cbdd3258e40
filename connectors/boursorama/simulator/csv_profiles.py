"""Render the simulator's CSV exports in every format profile of reference/boursorama.md §8.

Quirks reproduced: UTF-8 BOM (2022+), cp1252 without BOM (2018-2020), inconsistent quoting (labels
quoted, categories only when they contain a space, numbers only when they contain a space), thousands
separators (space, NBSP or U+202F), comma decimals in amounts, dot decimals in ``accountbalance`` from
2022 on, export-time balance in old profiles vs end-of-value-date balance in new ones, pending rows with
empty ``dateVal``/``accountbalance``, an optional ``tags`` column (p2026m, only when a row is tagged) and
**no final newline** (every profile: the parser must cope).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connectors.boursorama.simulator.ledger import Ledger, SimAccount, SimTxn

PROFILES: dict[str, list[str]] = {
    "p2018": ["dateOp", "dateVal", "label", "category", "categoryParent", "supplierFound", "amount",
              "accountNum", "accountLabel", "accountBalance"],
    "p2019": ["dateOp", "dateVal", "label", "category", "categoryParent", "supplierFound", "amount",
              "accountNum", "accountLabel", "accountbalance"],
    "p2020": ["dateOp", "dateVal", "label", "category", "categoryParent", "amount", "accountNum",
              "accountLabel", "accountbalance"],
    "p2022": ["dateOp", "dateVal", "label", "category", "categoryParent", "amount", "comment", "accountNum",
              "accountLabel", "accountbalance"],
    "p2024": ["dateOp", "dateVal", "label", "category", "categoryParent", "supplierFound", "amount", "comment",
              "accountNum", "accountLabel", "accountbalance"],
    "p2026s": ["dateOp", "dateVal", "label", "suggestedLabel", "category", "categoryParent", "amount", "comment",
               "accountNum", "accountLabel", "accountbalance"],
    "p2026m": ["dateOp", "dateVal", "label", "suggestedLabel", "category", "categoryParent", "amount", "comment",
               "accountNum", "accountLabel", "accountbalance", "mark"],
    "p2026fr": ['"Date Opération"', '"Date Valeur"', "Libellé", '"Libellé Suggéré"', "Catégorie",
                '"Catégorie Parente"', "Solde", "Commentaire", '"Numéro Compte"', '"Libellé Compte"', "Solde",
                "Pointage"],
}
LEGACY = {"p2018", "p2019", "p2020"}
_THOUSANDS = {"p2019": " ", "p2022": "\u00a0", "p2024": "\u202f"}


def _fr(amount: Decimal, sep: str) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{sep.join(groups)},{cents}"


def _q(text: str, always: bool = False) -> str:
    if always or " " in text or "\u00a0" in text or "\u202f" in text or ";" in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def render_csv(ledger: Ledger, acc: SimAccount, rows: list[SimTxn], profile: str) -> bytes:
    """One export of ``rows`` (already filtered and ordered newest first) of one account."""
    if profile not in PROFILES:
        raise ValueError(f"unknown csv_profile {profile!r}; known: {', '.join(PROFILES)}")
    header = list(PROFILES[profile])
    tagged = profile == "p2026m" and any(t.tag for t in rows)
    if tagged:
        header.insert(header.index("label") + 1, "tags")
    sep = _THOUSANDS.get(profile, " ")
    today = ledger.today
    export_balance = ledger.balance(acc.number)
    lines = [";".join(header)]
    for t in rows:
        booked = t.booked(today)
        shown = t.shown_date(today)
        if profile == "p2018":
            d_op = f"{shown:%d/%m/%y}"
            d_val = f"{t.booking_date:%d/%m/%y}" if booked else ""
        else:
            d_op = shown.isoformat()
            d_val = t.booking_date.isoformat() if booked else ""
        label = t.label if booked else t.pending_label
        if not booked:
            balance = ""
        elif profile in LEGACY:
            balance = _q(_fr(export_balance, " "))
        else:
            balance = f"{ledger.balance(acc.number, t.booking_date):.2f}"
        values = {
            "dateOp": d_op, "dateVal": d_val, "label": _q(label, True), "tags": _q(t.tag) if t.tag else "",
            "suggestedLabel": _q(t.supplier.upper(), True) if t.supplier else "",
            "category": _q(t.category), "categoryParent": _q(t.parent), "supplierFound": _q(t.supplier, True),
            "amount": _q(_fr(t.amount, sep)), "comment": "", "accountNum": acc.number,
            "accountLabel": _q(acc.csv_label, True), "accountbalance": balance, "accountBalance": balance,
            "mark": "Non",
        }
        if profile == "p2026fr":
            fr = [d_op, d_val, values["label"], values["suggestedLabel"], values["category"],
                  values["categoryParent"], values["amount"], "", acc.number, values["accountLabel"], balance, "Non"]
            lines.append(";".join(fr))
        else:
            lines.append(";".join(values[h] for h in header))
    text = "\n".join(lines)  # no final newline, on purpose
    if profile in LEGACY:
        return text.encode("cp1252")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def select_rows(ledger: Ledger, acc: SimAccount, start: dt.date, end: dt.date, cap: int | None) -> list[SimTxn]:
    """Visible rows of ``acc`` with dateOp in [start, end], newest first; a cap keeps the newest rows
    (the bank drops the oldest ones silently)."""
    today = ledger.today
    rows = [t for t in ledger.visible(acc.number) if start <= t.shown_date(today) <= end]
    rows.sort(key=lambda t: (t.shown_date(today), t.seq), reverse=True)
    return rows[:cap] if cap else rows
