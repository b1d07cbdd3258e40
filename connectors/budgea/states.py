"""Powens connection ``state`` values mapped to bankflow errors (reference/budgea.md §4.3, in ../shared).

States are compared case-insensitively (``wrongpass`` and ``wrongPass`` both occur, budgea.md §12.5). Unknown
states never crash the mapping: they become a generic :class:`ActionNeeded` naming the state, as the
Powens docs ask ("always fall back to a generic case").
"""
from __future__ import annotations

from connectors.errors import ActionNeeded, AuthError, BankflowError, SCARequired, TransientError

_SCA_REMEDIES = {
    "scarequired": "open the Powens webview (or your app's 'reconnect' screen) for this connection and "
                   "perform the strong authentication, then run again",
    "webauthrequired": "reconnect this connection through the Powens webview (redirect to the bank), "
                       "then run again",
    "additionalinformationneeded": "the bank asks for extra information (e.g. an SMS code): complete it in "
                                   "the Powens webview for this connection, then run again",
    "decoupled": "validate the operation in your bank's mobile app, then run again",
}
_ACTION_REMEDIES = {
    "actionneeded": "log into the bank's web site and accept what it asks (terms, messages), then run again",
    "passwordexpired": "change your password on the bank's web site, update it in the Powens webview, "
                       "then run again",
}
_TRANSIENT = {
    "ratelimiting": "the bank or Powens is throttling synchronisations",
    "websiteunavailable": "the bank's site is unavailable",
    "bug": "Powens reported an internal error",
}


def state_error(state: str | None, *, connection: str, powens_id: object,
                error_message: str | None = None) -> BankflowError | None:
    """The error a connection ``state`` means, or None when the last sync went fine (state null).
    ``validating`` is not handled here: the caller polls while it lasts."""
    if not state:
        return None
    key = state.strip().lower()
    where = f"connection {connection!r}: Powens connection {powens_id} is in state {state!r}"
    bank_text = f" (bank says: {error_message[:200]})" if error_message else ""
    if key == "wrongpass":
        return AuthError(
            f"{where}: the bank rejected the credentials stored at Powens{bank_text}",
            remedy=f"update the login/password of Powens connection {powens_id} in the Powens webview; "
                   "bankflow did not retry, to avoid locking the bank account")
    if key in _SCA_REMEDIES:
        return SCARequired(f"{where}{bank_text}", remedy=_SCA_REMEDIES[key])
    if key in _ACTION_REMEDIES:
        return ActionNeeded(f"{where}{bank_text}", remedy=_ACTION_REMEDIES[key])
    if key in _TRANSIENT:
        return TransientError(f"{where}: {_TRANSIENT[key]}{bank_text}")
    return ActionNeeded(f"{where}, which bankflow does not know{bank_text}",
                        remedy="check this connection in the Powens console or webview; "
                               "report the state name if it persists")
