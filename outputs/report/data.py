"""Everything the report shows, read from the marts through the named queries ``report_*.sql``.

Amounts stay ``Decimal`` all the way: the page writes them as decimal strings (the test compares them
with the marts to the cent)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from warehouse.db import Warehouse

Row = dict[str, Any]

#: merchants shown in "top merchants"
TOP_MERCHANTS = 15


@dataclass(slots=True)
class ReportData:
    """The report's figures, each list straight from one named query."""

    generated_from: dt.date | None  # the latest booking day of the ledger
    month: dt.date | None           # the month of "spending this month": the last complete one
    year_start: dt.date | None      # first month of the 12 months ending with ``month``
    accounts: list[Row] = field(default_factory=list)
    balances: list[Row] = field(default_factory=list)
    total_balance: list[Row] = field(default_factory=list)
    cashflow: list[Row] = field(default_factory=list)
    spend_month: list[Row] = field(default_factory=list)
    spend_year: list[Row] = field(default_factory=list)
    top_merchants: list[Row] = field(default_factory=list)
    recurring: list[Row] = field(default_factory=list)
    coverage: list[Row] = field(default_factory=list)
    coverage_gaps: list[Row] = field(default_factory=list)
    runs: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)


def reference_months(latest: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """(month, first of the 12 months ending with it): the month is the last one the ledger covers to
    its end: the month of ``latest`` when ``latest`` is its last day, else the month before."""
    if latest is None:
        return None, None
    month = latest.replace(day=1)
    if (latest + dt.timedelta(days=1)).month == latest.month:
        month = (month - dt.timedelta(days=1)).replace(day=1)
    y, m = divmod(month.year * 12 + month.month - 1 - 11, 12)
    return month, dt.date(y, m + 1, 1)


def gather(wh: Warehouse) -> ReportData:
    """Run the report's queries on an open warehouse."""
    latest = wh.fetch("report_period.sql")[0][0]
    month, year_start = reference_months(latest)
    data = ReportData(generated_from=latest, month=month, year_start=year_start,
                      accounts=wh.fetch_dicts("report_accounts.sql"),
                      balances=wh.fetch_dicts("report_balances.sql"),
                      total_balance=wh.fetch_dicts("report_total_balance.sql"),
                      cashflow=wh.fetch_dicts("report_cashflow.sql"),
                      recurring=wh.fetch_dicts("report_recurring.sql"),
                      coverage=wh.fetch_dicts("report_coverage.sql"),
                      coverage_gaps=wh.fetch_dicts("report_coverage_gaps.sql"),
                      runs=wh.fetch_dicts("report_runs.sql"),
                      checks=wh.fetch_dicts("report_checks.sql"))
    if month is not None:
        data.spend_month = wh.fetch_dicts("report_spend_categories.sql", {"first_month": month, "last_month": month})
        data.spend_year = wh.fetch_dicts("report_spend_categories.sql",
                                         {"first_month": year_start, "last_month": month})
        data.top_merchants = wh.fetch_dicts("report_top_merchants.sql", {"first_month": year_start,
                                                                         "last_month": month, "top": TOP_MERCHANTS})
    return data
