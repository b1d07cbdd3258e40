"""The layout-free statement reader (issue 11): any French bank's PDF statement with a text layer,
judged only by its own printed balances. See :func:`connectors.statements.generic.reader.read_statement`."""
from connectors.statements.generic.reader import read_statement

__all__ = ["read_statement"]
