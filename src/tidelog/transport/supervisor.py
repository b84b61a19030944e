"""Starting, watching and restarting the sender process.

::

    trainer process                                  sender process
    ---------------                                  --------------
    Popen([python, -m, tidelog.sender, ...],  ─────► its own interpreter: imports only
          stdin=PIPE)                                tidelog, never the user's __main__
    stdin pipe: a byte = "wake up" ─────────────────► a reader thread; EOF = trainer gone
    ring + spill file (shared) ─────────────────────► drains, writes the WAL, acknowledges
    watchdog thread: waits on the child ◄─────────── exit status; a crash traceback is
                     (its sentinel, no polling)       left in logs/sender-<pid>.err
      unexpected exit -> warn with that traceback,
      start a new sender on the same ring: it re-reads what was not acknowledged
    finish(): ring closed, wake, wait for exit ─────► drains everything, exit record, exit 0

The trainer never blocks on the sender except in ``finish()``, and there only
while the sender makes progress: a dead sender is replaced, a stuck one is
given up on with a warning that names the ring and spill files still holding
the unwritten frames.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from tidelog._warn import warn

__all__ = ["SenderSupervisor", "sender_argv"]

_MAX_FAST_RESTARTS = 5      # restarts within _RESTART_WINDOW_S before backing off
_RESTART_WINDOW_S = 60.0
_BACKOFF_S = 5.0


class SenderSupervisor:
    def __init__(self, argv: list[str], log_dir: Path, progress: Callable[[], int],
                 on_restart: Callable[[str], None] | None = None,
                 needed: Callable[[], bool] = lambda: True) -> None:
        self._argv = argv
        self._log_dir = log_dir
        self._progress = progress          # the ring's acknowledged position
        self._on_restart = on_restart
        self._needed = needed              # False once the transport files are gone: nothing to drain
        self._lock = threading.Lock()
        self._finishing = False
        self._proc: subprocess.Popen | None = None
        self._restarts: list[float] = []

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        self._proc = self._spawn()
        threading.Thread(target=self._watch, name="tidelog-sender-watchdog", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _spawn(self) -> subprocess.Popen:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            close_fds=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def _watch(self) -> None:
        while True:
            proc = self._proc
            assert proc is not None
            code = proc.wait()
            with self._lock:
                if self._finishing and code == 0:
                    return
                if proc is not self._proc:
                    continue
                if not self._needed():
                    return
                self._report_exit(proc, code)
                self._throttle()
                try:
                    self._proc = self._spawn()
                except OSError as e:
                    warn(f"tidelog: could not restart the sender: {e}")
                    time.sleep(_BACKOFF_S)
                    continue
            if self._on_restart is not None:
                self._on_restart(f"sender exited with status {code}; restarted (pid {self._proc.pid})")

    def _throttle(self) -> None:
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < _RESTART_WINDOW_S] + [now]
        if len(self._restarts) > _MAX_FAST_RESTARTS:
            time.sleep(_BACKOFF_S)

    def _report_exit(self, proc: subprocess.Popen, code: int) -> None:
        err = self._log_dir / f"sender-{proc.pid}.err"
        detail = ""
        if err.exists():
            text = err.read_text(errors="replace").strip()
            detail = "\n" + "\n".join(text.splitlines()[-20:])
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        warn(f"tidelog: the sender process (pid {proc.pid}) {how}; starting a new one, "
             f"which re-reads everything not yet written.{detail}")

    # -- talking to it -------------------------------------------------------

    def wake(self) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            return
        try:
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # it is gone; the watchdog restarts it and the new one drains the ring

    def finish(self, done: Callable[[], bool], stall_timeout_s: float = 30.0) -> bool:
        """Wait until the sender has written everything and exited.

        ``done()`` says whether everything is acknowledged. Returns False (with
        a warning) if the sender made no progress for ``stall_timeout_s``.
        """
        with self._lock:
            self._finishing = True
        self.wake()
        last = self._progress()
        last_change = time.monotonic()
        while True:
            proc = self._proc
            assert proc is not None
            try:
                code = proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                code = None
            if code == 0 and proc is self._proc:
                self._close_pipe(proc)
                return True
            if code is not None:
                # It died while finishing: the watchdog starts another, which drains the rest.
                time.sleep(0.05)
                self.wake()
            now = time.monotonic()
            pos = self._progress()
            if pos != last:
                last, last_change = pos, now
            elif now - last_change > stall_timeout_s:
                left = "nothing is left unwritten" if done() else (
                    "unwritten records remain in the transport files and are not lost while they exist")
                warn(f"tidelog: the sender made no progress for {stall_timeout_s:.0f} s at finish() "
                     f"and did not exit; giving up waiting ({left}).")
                return False

    @staticmethod
    def _close_pipe(proc: subprocess.Popen) -> None:
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass


def sender_argv(**options: object) -> list[str]:
    """``python -m tidelog.sender --opt value ...``"""
    argv = [sys.executable, "-m", "tidelog.sender"]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    return argv
