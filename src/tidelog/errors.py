"""Every exception and warning tidelog raises, in one tree.

    TidelogError
    ├── UsageError            the API was called wrongly (no active run, bad argument)
    │   ├── KeyCollisionError a metric name that differs from another only by case
    │   ├── SettingsError     an init() argument or TIDELOG_*/WANDB_* variable has a bad value
    │   └── ConfigError       a config change refused (W&B's ``wandb.sdk.lib.config_util.ConfigError``)
    ├── WalError              the write-ahead log cannot be used
    │   └── WalVersionError   a segment written by a newer tidelog (refused, not guessed)
    ├── SenderError           the sender process keeps failing: tidelog stopped restarting it
    ├── RunNotFoundError      Api.run() named a run that does not exist
    └── ServerError           a tracking server refused a request or could not be reached

    TidelogWarning (UserWarning)   refused values, back-pressure, disk full, ...

Damage inside a WAL is not an exception: the reader skips it and reports it
(``WalReader.damage``, ``tidelog verify``), as leveldb's log reader does.

Bad values passed to ``log()`` raise the built-in ``TypeError`` / ``ValueError``
(what a W&B user catches), always naming the key. Third-party errors (zstd,
protobuf, OS errors) are translated where they cross into tidelog's API.
"""

from __future__ import annotations

__all__ = [
    "TidelogError",
    "UsageError",
    "KeyCollisionError",
    "SettingsError",
    "ConfigError",
    "WalError",
    "WalVersionError",
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


class SettingsError(UsageError, ValueError):
    """A setting (an ``init()`` argument or a ``TIDELOG_*``/``WANDB_*`` variable) has a bad value.

    The message names the argument or variable, the value, and what is accepted.
    """


class ConfigError(UsageError):
    """A change to ``run.config`` was refused (W&B's ``ConfigError``, importable under its W&B path)."""


class WalError(TidelogError):
    """The write-ahead log cannot be read or written."""


class WalVersionError(WalError):
    """A WAL segment has a format version this tidelog does not know."""


class SenderError(TidelogError):
    """The sender process keeps failing before it writes anything, so it is no longer restarted.

    Like CPython's ``BrokenProcessPool``: after a few restarts that acknowledged
    nothing the run's pipeline is *broken*. ``log()`` goes on accepting records
    (into the shared-memory ring, then the spill file: nothing is lost),
    ``finish()`` returns at once, and ``tidelog recover`` writes the records to
    the run's log once the cause is fixed. The message carries the last
    sender's traceback.
    """


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
