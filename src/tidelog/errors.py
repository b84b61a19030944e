"""Every exception and warning tidelog raises, in one tree.

    TidelogError
    ├── UsageError            the API was called wrongly (no active run, bad argument)
    │   └── KeyCollisionError a metric name that differs from another only by case
    ├── WalError              the write-ahead log cannot be used
    │   ├── WalVersionError   a segment written by a newer tidelog (refused, not guessed)
    │   └── WalCorruptError   damage where the caller asked for strictness
    ├── SenderError           the sender process failed and could not be restarted
    ├── RunNotFoundError      Api.run() named a run that does not exist
    └── ServerError           a tracking server refused a request or could not be reached

    TidelogWarning (UserWarning)   refused values, back-pressure, disk full, ...

Bad values passed to ``log()`` raise the built-in ``TypeError`` / ``ValueError``
(what a W&B user catches), always naming the key. Third-party errors (zstd,
protobuf, OS errors) are translated where they cross into tidelog's API.
"""

from __future__ import annotations

__all__ = [
    "TidelogError",
    "UsageError",
    "KeyCollisionError",
    "WalError",
    "WalVersionError",
    "WalCorruptError",
    "SenderError",
    "RunNotFoundError",
    "ServerError",
    "TidelogWarning",
]


class TidelogError(Exception):
    """Base of every exception tidelog raises on purpose."""


class UsageError(TidelogError):
    """The API was used in a way it does not support."""


class KeyCollisionError(UsageError, ValueError):
    """Two metric names in one run differ only by letter case."""


class WalError(TidelogError):
    """The write-ahead log cannot be read or written."""


class WalVersionError(WalError):
    """A WAL segment has a format version this tidelog does not know."""


class WalCorruptError(WalError):
    """Damage was found and the caller asked not to skip it."""


class SenderError(TidelogError):
    """The sender process failed and could not be restarted."""


class RunNotFoundError(TidelogError, LookupError):
    """No run with that path exists."""


class ServerError(TidelogError):
    """A tracking server answered with an error (``status``, its JSON ``code``
    and message) or could not be reached (``status`` 0)."""

    def __init__(self, message: str, status: int = 0, code: str = "", body: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.body = body or {}


class TidelogWarning(UserWarning):
    """Something the user should know; the run goes on."""
