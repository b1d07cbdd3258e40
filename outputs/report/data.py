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


def _spending(rows: list[Row], which: str) -> list[Row]:
    """One span's categories from report_spend_categories.sql: those with spending, most spent first."""
    out = [{"category": r["category"], "amount": r[f"{which}_amount"], "transactions": r[f"{which}_transactions"]}
           for r in rows if r[f"{which}_amount"] != 0]
    return sorted(out, key=lambda r: (-r["amount"], r["category"]))


def period_sources(balances: list[Row], coverage: list[Row]) -> None:
    """Set each balance row's ``period_source``, what covers the month of its day (report_coverage.sql):
    'api' when an API or CSV payload covers some day of it, else 'statement' when a statement does, else
    'none' (also for a month marts.coverage has no row for)."""
    source = {(c["account_id"], c["month"]): "api" if c["days_covered_api"] > 0
              else "statement" if c["days_covered_statement"] > 0 else "none" for c in coverage}
    key = None
    here = "none"
    for r in balances:  # in account and date order: the month's source is looked up once per month
        d = r["date"]
        if key is None or key[0] != r["account_id"] or key[1].month != d.month or key[1].year != d.year:
            key = (r["account_id"], d.replace(day=1))
            here = source.get(key, "none")
        r["period_source"] = here


def gather(wh: Warehouse) -> ReportData:
    """Run the report's queries on an open warehouse. Each marts view costs a pass over the ledger, so
    each is read once: the latest booking day and each account's first and last booked day come from
    the daily balances' booked-row counts, what covers each day's month from the coverage rows, and the
    accounts left out of the total from the accounts."""
    accounts = wh.fetch_dicts("report_accounts.sql")
    coverage = wh.fetch_dicts("report_coverage.sql")
    rows = wh.fetch_dicts("report_balances.sql",
                          {"not_in_total": [a["account_id"] for a in accounts if not a["counts_in_total"]]})
    balances = [r for r in rows if r["account_id"] is not None]
    period_sources(balances, coverage)
    booked_days: dict[str, list[dt.date]] = {}
    for r in balances:
        if r["transactions"]:
            booked_days.setdefault(r["account_id"], []).append(r["date"])
    latest = max((d[-1] for d in booked_days.values()), default=None)
    month, year_start = reference_months(latest)
    for a in accounts:
        days = booked_days.get(a["account_id"], [])
        a["first_date"], a["last_date"] = (days[0], days[-1]) if days else (None, None)
    total = [r for r in rows if r["account_id"] is None]
    for r in total:
        r["period_source"] = None
    data = ReportData(generated_from=latest, month=month, year_start=year_start, accounts=accounts,
                      balances=balances, total_balance=total,
                      cashflow=wh.fetch_dicts("report_cashflow.sql"),
                      recurring=wh.fetch_dicts("report_recurring.sql"),
                      coverage=coverage,
                      coverage_gaps=wh.fetch_dicts("report_coverage_gaps.sql"),
                      runs=wh.fetch_dicts("report_runs.sql"),
                      checks=wh.fetch_dicts("report_checks.sql"))
    if month is not None:
        spend = wh.fetch_dicts("report_spend_categories.sql", {"first_month": year_start, "last_month": month})
        data.spend_month, data.spend_year = _spending(spend, "month"), _spending(spend, "year")
        data.top_merchants = wh.fetch_dicts("report_top_merchants.sql", {"first_month": year_start,
                                                                         "last_month": month, "top": TOP_MERCHANTS})
    return data
