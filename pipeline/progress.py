"""A process-wide progress hook: the CLI installs a reporter (a rich progress display); flows and the
runner call it. Nothing is reported when none is installed (e.g. under a Prefect worker)."""
from __future__ import annotations

from collections.abc import Callable

_reporter: Callable[[str, str], None] | None = None


def set_progress(fn: Callable[[str, str], None] | None) -> None:
    global _reporter
    _reporter = fn


def current_progress() -> Callable[[str, str], None] | None:
    return _reporter
