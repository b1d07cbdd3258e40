"""Typed connector errors: each class says what should happen next.

The classes follow the Singer SDK idea that an error carries its remedy:

================== ================================ ===========================
class              what it means                    what the runner does
================== ================================ ===========================
AuthError          credentials rejected             stop, never retry (lockout)
ActionNeeded       the user must do something       stop, tell the user what
SCARequired        strong authentication needed     stop, tell the user how
TransientError     network, 5xx, maintenance        retry with backoff
RateLimited        429 / throttling                 wait ``retry_after``, retry
ProtocolChanged    the site changed shape           stop, a developer must look
ParseError         a file we cannot read            stop for that file, say where
ConfigError        bankflow.toml is wrong           stop, fix the file
================== ================================ ===========================

Messages never contain a credential, token or cookie: callers build them from names and paths only.
"""
from __future__ import annotations


class BankflowError(Exception):
    """Base class. ``retryable`` tells the one retry layer whether trying again can help."""

    retryable: bool = False
    #: short machine-readable outcome used in ops.sync_runs and artifacts
    outcome: str = "error"
    #: what the user should do next, shown after the message
    remedy: str = ""

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        if remedy is not None:
            self.remedy = remedy

    def describe(self) -> str:
        """The message followed by the remedy, for people."""
        msg = str(self)
        return f"{msg} — {self.remedy}" if self.remedy else msg

    def __reduce__(self):  # keep remedy, file, retry_after... across process boundaries (parse pool)
        return (_rebuild, (self.__class__, str(self), dict(self.__dict__)))


def _rebuild(cls: type[BankflowError], message: str, state: dict) -> BankflowError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class ConfigError(BankflowError):
    outcome = "config_error"
    remedy = "fix bankflow.toml (see README, section 'Configuration') and run again"


class AuthError(BankflowError):
    """Wrong credentials. Never retried: banks lock an account after a few failures."""

    outcome = "auth_error"
    remedy = ("check the login and password this connection's credential references point to; "
              "bankflow did not retry, to avoid locking the account")


class ActionNeeded(BankflowError):
    """The user must act at the bank (accept terms, change an expired password, ...)."""

    outcome = "action_needed"
    remedy = "log into the bank's web site or app, do what it asks, then run again"


class SCARequired(ActionNeeded):
    """Strong customer authentication (2FA/OTP) is needed before the bank gives more data."""

    outcome = "sca_required"
    remedy = "perform the strong authentication in the bank's app, then run again"


class TransientError(BankflowError):
    """Network failure, 5xx, maintenance page: trying again later can succeed."""

    retryable = True
    outcome = "transient_error"
    remedy = "the bank was unavailable; run again later"


class RateLimited(TransientError):
    """The bank throttles us (HTTP 429). ``retry_after`` is in seconds."""

    outcome = "rate_limited"

    def __init__(self, message: str, *, retry_after: float = 1.0, remedy: str | None = None) -> None:
        super().__init__(message, remedy=remedy)
        self.retry_after = retry_after


class ProtocolChanged(BankflowError):
    """The bank's site or API no longer looks like what the connector knows (unknown keypad glyph,
    missing form field, unexpected JSON shape). Guessing could be wrong: stop."""

    outcome = "protocol_changed"
    remedy = "the bank changed its site; update bankflow or report the issue with the run's log"


class ParseError(BankflowError):
    """Bad input file. Names the file and where in it (line, page or field)."""

    outcome = "parse_error"
    remedy = "check that the file is an unmodified export from the bank"

    def __init__(self, message: str, *, file: str | None = None, where: str | None = None,
                 remedy: str | None = None) -> None:
        parts = [p for p in (file, where) if p]
        full = f"{': '.join(parts)}: {message}" if parts else message
        super().__init__(full, remedy=remedy)
        self.file = file
        self.where = where
