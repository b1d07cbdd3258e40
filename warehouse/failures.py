"""What can go wrong with the warehouse file, in words for people (:func:`unusable`), and the test-only
fault points of the fault-injection suite (:func:`fault_point`)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from connectors.errors import BankflowError


class WarehouseUnusable(BankflowError):
    """The warehouse file cannot be used: damaged, held by another process, or on a read-only disk."""

    outcome = "warehouse_error"


#: DuckDB's words for a file it cannot read as a database (truncated, overwritten, not DuckDB at all)
_DAMAGED = ("could not read enough bytes", "not a valid duckdb database", "checksum", "corrupt",
            "failed to read database header", "invalid block", "serialization error", "deserializ")
_LOCKED = re.compile(r"could not set lock.*?(?:PID (\d+))?", re.I | re.S)
_READ_ONLY = ("read-only file system", "permission denied")


def unusable(path: Path, exc: BaseException) -> WarehouseUnusable | None:
    """The user-facing error for a DuckDB failure on the warehouse file ``path``, or None when the
    exception is not about the file (a bad query, a bug)."""
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc)
    low = text.lower()
    root = Path(path).parent
    if any(w in low for w in _DAMAGED):
        return WarehouseUnusable(
            f"the warehouse {path} is damaged ({text.splitlines()[0][:160]})",
            remedy=f"run `bankflow rebuild --data-dir {root}`: it recreates it from the raw payloads plus "
                   "your edits (nothing is lost)")
    m = _LOCKED.search(text)
    if m:
        pid = re.search(r"PID (\d+)", text)
        who = f" (PID {pid.group(1)})" if pid else ""
        return WarehouseUnusable(f"the warehouse {path} is in use by another bankflow process{who}",
                                 remedy="wait for it to finish (or end it), then run again")
    if any(w in low for w in _READ_ONLY):
        return WarehouseUnusable(f"cannot write the warehouse {path}: {text.splitlines()[0][:160]}",
                                 remedy="give a --data-dir you can write to (or copy the data dir somewhere writable)")
    return None


# -- test-only fault injection ------------------------------------------------------------------------
class InjectedFault(RuntimeError):
    """Raised at a fault point named by ``BANKFLOW_FAULT`` (tests only)."""


def fault_point(where: str) -> None:
    """**Test-only** hook of the fault-injection suite (tests/faults/): when the environment variable
    ``BANKFLOW_FAULT`` is ``WHERE`` (raise :class:`InjectedFault` here) or ``WHERE:kill`` (SIGKILL this
    process here), and ``where`` equals ``WHERE``, the fault happens. Points: ``load:<loads file>``
    before each load step (inside the load's transaction), ``load:commit`` just before its commit.
    Unset (always, outside the tests), it costs one dictionary lookup."""
    spec = os.environ.get("BANKFLOW_FAULT")
    if not spec:
        return
    name, _, action = spec.rpartition(":") if spec.endswith(":kill") else (spec, "", "raise")
    if name != where:
        return
    if action == "kill":
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    raise InjectedFault(f"fault injected at {where} (BANKFLOW_FAULT={spec})")
