"""Clear refusals of files that are not (readable) account statements, decided without a layout."""
from __future__ import annotations

import re

from connectors.statements.errors import GluedTextError, NoBalancesError, NotAStatementError
from connectors.statements.generic.lines import TLine
from connectors.statements.layouts import non_statement_markers

_STATEMENT_WORDS = re.compile(r"\b(RELEVE|EXTRAIT|COMPTE|SOLDE|OPERATIONS?|LIBELLE|DEBIT|CREDIT)\b")


def refuse_non_statement(pages: list[list[TLine]], source: str, sections: list | None = None) -> None:
    """Raise when the file is not an account statement. First call (``sections`` None): page-1
    markers of other documents (avis d'opéré, loan schedule, RIB, IFU). Second call: no balance."""
    text1 = "\n".join(t.norm_text for t in pages[0]) if pages else ""
    if sections is None:
        lengths = sorted(len(w.text) for p in pages for t in p for w in t.words)
        if len(lengths) >= 5 and lengths[len(lengths) // 2] >= 10:
            raise GluedTextError(f"text layer without spaces between words (median word length "
                                 f"{lengths[len(lengths) // 2]} characters): columns cannot be trusted",
                                 file=source, where="page 1")
        for marker, what in non_statement_markers().items():
            if marker in text1:
                raise NotAStatementError(f"not an account statement: this is {what}", file=source,
                                         where="page 1")
        return
    if sections:
        return
    words = {m[1] for t in (t for p in pages for t in p) for m in _STATEMENT_WORDS.finditer(t.norm_text)}
    if "SOLDE" in words or len(words & {"RELEVE", "EXTRAIT", "COMPTE"}) and \
            len(words & {"DEBIT", "CREDIT", "OPERATIONS", "OPERATION", "LIBELLE"}):
        raise NoBalancesError("no opening and closing balances printed (looked for ANCIEN SOLDE, "
                              "SOLDE PRECEDENT, SOLDE … AU <date>, NOUVEAU SOLDE, Votre nouveau solde)",
                              file=source)
    raise NotAStatementError("not an account statement (no 'relevé'/'compte' words and no French "
                             "balance lines)", file=source, where="page 1")
