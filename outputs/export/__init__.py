"""``bankflow export``: the ledger for other bookkeeping tools, one pure module per format (rows in,
bytes out); ``export`` reads the ledger and picks the format."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from outputs.export.beancount_format import to_beancount
from outputs.export.csv_format import to_csv
from outputs.export.ledger import ExportError, Ledger, read_ledger
from outputs.export.ofx import to_ofx
from outputs.export.qif import to_qif
from warehouse.db import Warehouse

FORMATS: dict[str, Callable[[Ledger], bytes]] = {"ofx": to_ofx, "qif": to_qif, "beancount": to_beancount,
                                                 "csv": to_csv}
EXTENSIONS = {"ofx": "ofx", "qif": "qif", "beancount": "beancount", "csv": "csv"}

__all__ = ["EXTENSIONS", "FORMATS", "ExportError", "export", "read_ledger"]


def export(wh: Warehouse, fmt: str, *, account: str | None = None, since: dt.date | None = None) -> bytes:
    """The ledger (booked rows; one account, or all; from ``since`` on) in format ``fmt``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}", remedy=f"use one of: {', '.join(FORMATS)}")
    return FORMATS[fmt](read_ledger(wh, account=account, since=since))
