"""Module-level W&B names that tidelog accepts, so W&B clients run unchanged.

Reachable as ``tidelog.<name>`` (and so as ``wandb.<name>`` under ``tidelog
run`` or ``import tidelog as wandb``) but outside ``tidelog.__all__``: they are
W&B's surface, not tidelog's own API. Each does what makes sense offline:

* ``termlog`` / ``termwarn`` / ``termerror``: ``tidelog.compat.terminal``.
* ``Artifact``, ``log_artifact``, ``use_artifact``, ``log_model``: artifacts as run files.
* ``require(...)``: W&B feature flags (``"service"``, ``"core"``); nothing to turn on.
* ``_attach(attach_id)``: the current run if it has that id, else ``UsageError``
  (a tidelog run is written by the one process that called ``init()``).
* ``login``, ``setup``, ``teardown``: nothing to do offline; ``login`` returns True.
* ``Settings(**kw)``: accepted by ``init(settings=...)``; ``console`` is honoured (docs/console.md), the rest ignored.
"""

from __future__ import annotations

from typing import Any

from tidelog.compat.terminal import termerror, termlog, termwarn
from tidelog.errors import UsageError

__all__ = ["termlog", "termwarn", "termerror", "require", "_attach", "login", "setup", "teardown",
           "log_artifact", "use_artifact", "log_model", "Settings", "Artifact"]  # noqa: F822 (Artifact: lazy)


def __getattr__(name: str) -> Any:
    if name == "Artifact":  # the artifact module is only imported when used
        from tidelog.api.artifact import Artifact

        return Artifact
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _current(what: str) -> Any:
    from tidelog.api import lifecycle

    run = lifecycle.current()
    if run is None:
        raise UsageError(f"tidelog.{what}: call tidelog.init() first")
    return run


def require(*requirements: Any, **kwargs: Any) -> None:
    """W&B's feature switches: tidelog has none to turn on."""


def _attach(attach_id: str | None = None, run_id: str | None = None, **kwargs: Any) -> Any:
    """W&B's attach: the current run, or, in a process started from the run's process (Lightning's
    ``ddp_spawn`` workers), the run there, whose calls are relayed to it (api/attach.py)."""
    from tidelog.api import lifecycle
    from tidelog.api.attach import attach

    wanted = attach_id or run_id
    run = lifecycle.current()
    if run is not None and (wanted is None or wanted == run.id):
        return run
    return attach(wanted)


def login(*args: Any, **kwargs: Any) -> bool:
    """Nothing to log in to offline."""
    return True


def setup(*args: Any, **kwargs: Any) -> None:
    """W&B starts its service process here; tidelog starts a sender per run at ``init()``."""


def teardown(exit_code: int | None = None) -> None:
    """Finish the current run, as W&B's ``teardown`` does."""
    from tidelog.api import lifecycle

    run = lifecycle.current()
    if run is not None:
        run.finish(exit_code=exit_code)


def log_artifact(artifact_or_path: Any, name: str | None = None, type: str | None = None,
                 aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
    return _current("log_artifact").log_artifact(artifact_or_path, name=name, type=type, aliases=aliases)


def use_artifact(artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,
                 use_as: str | None = None) -> Any:
    return _current("use_artifact").use_artifact(artifact_or_name, type=type, aliases=aliases)


def log_model(path: Any, name: str | None = None, aliases: list[str] | None = None) -> Any:
    return _current("log_model").log_model(path, name=name, aliases=aliases)


class Settings(dict):
    """``wandb.Settings(...)``: kept as given; ``init(settings=...)`` reads ``console`` from it, ignores the rest."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
