"""Helpers for testing code that logs with tidelog (after ``structlog.testing``).

A run's records travel from ``log()`` through a shared-memory ring (and, when
it is full, a spill file) to a sender process that writes the WAL. Tests of
that pipeline, and of code built on tidelog, need to see where records are
and to wait for the sender; these functions do so without reaching into a
run's private attributes, so tests keep working when tidelog's internals
change::

    from tidelog.testing import sender_pid, stored_rows

    run = tidelog.init(project="p", dir=tmp_path)
    run.log({"x": 1.0})
    os.kill(sender_pid(run), signal.SIGKILL)   # tidelog restarts it
    run.finish()
    assert [r["x"] for r in stored_rows(run)] == [1.0]

Every function takes a run returned by ``tidelog.init()`` in this process.
The waiting ones raise ``TimeoutError`` naming what did not happen.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tidelog.errors import SenderError

__all__ = [
    "sender_pid",
    "wait_sender_restarted",
    "sender_broken",
    "spilled_bytes",
    "wait_spill_drained",
    "stored_rows",
]

_POLL_S = 0.02


def _link(run: Any) -> Any:
    link = getattr(run, "_link", None)
    if link is None:
        raise TypeError(f"tidelog.testing: expected a run from tidelog.init(), got {type(run).__name__}")
    return link


def sender_pid(run: Any) -> int | None:
    """The process id of the run's current sender (``None`` before it starts)."""
    return _link(run).supervisor.pid


def wait_sender_restarted(run: Any, old_pid: int, timeout: float = 30.0) -> int:
    """Wait until the sender ``old_pid`` has been replaced by a new one; its pid."""
    deadline = time.monotonic() + timeout
    while (pid := sender_pid(run)) == old_pid or pid is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"tidelog.testing: the sender (pid {old_pid}) was not restarted within {timeout:g} s")
        time.sleep(_POLL_S)
    return pid


def sender_broken(run: Any) -> SenderError | None:
    """Why tidelog stopped restarting the run's sender (see ``SenderError``), or ``None``."""
    return _link(run).supervisor.broken


def spilled_bytes(run: Any) -> int:
    """Bytes the run has ever written to its spill file (0 while every record fitted in the ring)."""
    return _link(run).ring.spill_written


def wait_spill_drained(run: Any, timeout: float = 30.0) -> None:
    """Wait until the sender has read everything written to the spill file so far."""
    ring = _link(run).ring
    deadline = time.monotonic() + timeout
    while ring.spill_acked != ring.spill_written:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"tidelog.testing: the spill file still holds {ring.spill_written - ring.spill_acked} "
                f"unread bytes after {timeout:g} s"
            )
        time.sleep(_POLL_S)


def stored_rows(run: Any) -> list[dict]:
    """The run's history rows as stored in its log (``Api().run(...).scan_history()``), usually after ``finish()``."""
    from tidelog import Api

    return list(Api(dir=Path(run.dir).parent).run(run.path).scan_history())
