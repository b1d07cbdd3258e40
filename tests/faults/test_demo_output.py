"""The demo explains itself: the outcome table never cuts a connection name at 80 columns (also when
not a terminal), its columns are explained, the next steps are printed, and progress starts at once."""
from __future__ import annotations

import io

from rich.console import Console

from flows.cli import sync as cli_sync


def _summary(names: list[str]) -> dict:
    return {"run_id": "abc123", "ok": False, "connections": [
        {"connection": n, "bank": "budgea", "status": "ok" if i else "auth_error", "artifacts_fetched": 12,
         "artifacts_new": 3, "rows_inserted": 1701, "rows_updated": 2, "requests": 160,
         "message": "" if i else f"connection '{n}' (budgea): token rejected by Powens"} for i, n in enumerate(names)]}


def test_names_are_never_cut_at_80_columns(monkeypatch) -> None:
    names = ["boursorama-demo", "budgea-personnel-compte-joint", "budgea-famille", "lcl-demo"]
    buf = io.StringIO()
    monkeypatch.setattr(cli_sync, "out", Console(file=buf, width=80, force_terminal=False))
    monkeypatch.setattr(cli_sync, "console", Console(file=buf, width=80, force_terminal=False))
    cli_sync.print_outcomes(_summary(names))
    text = buf.getvalue()
    for n in names:
        assert n in text, text
    assert "rows +    transactions inserted" in text and "rows ~    transactions updated" in text
    # the failed connection's message names it once
    assert text.count("boursorama-demo") == 2  # the table row and its message line, nothing more
    assert "connection 'boursorama-demo' (budgea): token rejected" in text


def test_next_steps(monkeypatch, tmp_path) -> None:
    from tests.faults.test_messages import small_dd

    small_dd(tmp_path)
    buf = io.StringIO()
    monkeypatch.setattr(cli_sync, "out", Console(file=buf, width=80, force_terminal=False))
    cli_sync._print_demo_footer(tmp_path, 2, 1.0)
    text = buf.getvalue()
    assert "marts.transactions" in text and f"bankflow check --data-dir {tmp_path}" in text
    assert "counts_in_total" in text
