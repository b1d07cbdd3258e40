"""Data health for the report and the sync artifact: what a connection's last status means for the
person reading it, and what to do (the statuses are connectors.errors' ``outcome`` values)."""
from __future__ import annotations

_ADVICE = {
    "ok": "nothing to do",
    "transient_error": "nothing: the bank was unreachable; the next run retries",
    "rate_limited": "nothing: the bank asked to slow down; the next run retries",
    "bank_busy": "nothing: other runs held the bank; the next run retries",
    "load_error": "run `bankflow sync --connection {c}` again; the warehouse is unchanged for it",
    "auth_error": "check the password of {c} (your secrets), then `bankflow sync --connection {c}`",
    "sca_required": "approve the login in your bank's app, then `bankflow sync --connection {c}`",
    "action_needed": "log in to the bank's website once (terms or a message to accept), then sync again",
    "config_error": "fix {c} in bankflow.toml (the message says which field), then sync again",
    "protocol_changed": "the bank changed its site: update bankflow, or report it with the run's log",
    "parse_error": "the bank sent something bankflow cannot read: update bankflow, or report it",
}


def advice(status: str, connection: str) -> str:
    """The next step after a connection ended in ``status``."""
    text = _ADVICE.get(status, "unexpected failure: report it with the run's log, then sync again")
    return text.format(c=connection)


def is_ok(status: str) -> bool:
    return status == "ok"


#: what each warehouse check (warehouse/checks/*.sql) guards, for people
CHECKS = {
    "balance_mismatch": "the balances your bank reported match the transactions in between",
    "duplicate_keys": "no transaction is stored twice",
    "pending_twice": "a card payment is not counted both as pending and as booked",
    "stale_pending": "no pending payment waits for more than 30 days",
    "statement_double_count": "no money is counted twice by two statements (a re-saved copy, overlapping periods)",
    "statement_line_unmatched": "every line of a PDF statement is also in the bank's API or CSV listing",
    "statement_not_reconciled": "every statement adds up (opening + credits - debits = closing)",
}


def check_meaning(name: str) -> str:
    return CHECKS.get(name, "")
