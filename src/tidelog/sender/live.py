"""Live mode: the sender also streams the WAL it writes to a tidelog server.

``start_live(run_dir, url, log)`` starts a daemon thread in the sender
process that tails the run's WAL (``sync.engine.RunSync``: the protocol and
exactly-once rules of ``tidelog sync``) every ``POLL_S`` and sends what is
new. It reads the files the sender has written, so ``log()`` never waits for
it and the WAL stays the one record of the run. ``finish()`` (the sender,
after its last write) sends the rest, for at most ``FINISH_S``.

When the server cannot be reached or refuses (a wrong key, ...), the thread
warns once, through ``log``, and stops: the run goes on offline, and a
later ``tidelog sync`` uploads what was missed (it resumes from the
server's acknowledgement). Transient failures are retried for
``RETRY_S`` before that. Needs httpx (the ``sync`` or ``server`` extra);
without it, the same one warning.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["LiveStream", "start_live"]

POLL_S = 0.1
RETRY_S = 5.0
FINISH_S = 30.0


class LiveStream:
    def __init__(self, run_dir: Path, url: str, log: Callable[[str], None]) -> None:
        self.run_dir = Path(run_dir)
        self.url = url
        self._log = log
        self._closing = threading.Event()
        self._stop = threading.Event()
        self.failed: str | None = None
        self.thread = threading.Thread(target=self._main, name="tidelog-live", daemon=True)

    def start(self) -> LiveStream:
        self.thread.start()
        return self

    def finish(self) -> None:
        """Send what the sender wrote last and stop (the run has ended)."""
        self._closing.set()
        self.thread.join(FINISH_S)
        if self.thread.is_alive():
            self._stop.set()
            self._warn(f"the server {self.url} did not take the end of the run within {FINISH_S:.0f} s")

    def _warn(self, why: str) -> None:
        if self.failed is None:
            self.failed = why
            self._log(f"WARNING: live mode: {why}; the run goes on offline. "
                      f"`tidelog sync {self.run_dir}` uploads what the server missed.")

    def _main(self) -> None:
        try:
            from tidelog.errors import ServerError, TidelogError
            from tidelog.remote.http import ServerClient
            from tidelog.sync.engine import RunSync
            from tidelog.sync.replica import HttpReplica
            from tidelog.sync.retry import Retrying
        except ImportError as err:
            self._warn(f"live mode needs httpx (pip install 'tidelog[sync]'): {err}")
            return
        try:
            replica = Retrying(HttpReplica(ServerClient(self.url, timeout=10.0)), give_up_after=RETRY_S)
            sync = RunSync(replica, self.run_dir, stop=self._stop)
            while not self._closing.is_set():
                sync.step(ended=False)
                self._closing.wait(POLL_S)
            sync.step(ended=True)
        except ServerError as err:
            self._warn(f"the server {self.url} is unreachable or refused the run ({err})")
        except (TidelogError, OSError, ValueError) as err:
            self._warn(f"streaming to {self.url} failed ({type(err).__name__}: {err})")


def start_live(run_dir: Path, url: str, log: Callable[[str], None]) -> LiveStream:
    return LiveStream(run_dir, url, log).start()
