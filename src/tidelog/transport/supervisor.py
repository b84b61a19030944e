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
the unwritten frames. A ``finish()`` that waits more than 2 s says, every 2 s
on stderr, how much is left to write.

A sender that keeps dying without acknowledging anything (a broken
environment, a bad interpreter, a bug hit at start) is not restarted for
ever: after ``_MAX_FRUITLESS`` such exits in a row the supervisor is
*broken*, like CPython's ``ProcessPoolExecutor``. It warns once with the last
traceback (``broken`` holds it as a ``SenderError``) and stops restarting;
``log()`` goes on filling the ring and then the spill file, so nothing is
lost, ``finish()`` returns at once, and ``tidelog recover`` writes it all to
the run's log later (see ``transport.recover``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from tidelog._warn import warn_from_thread
from tidelog.errors import SenderError
from tidelog.rundir import RunDir

__all__ = ["SenderSupervisor", "sender_argv"]

_MAX_FAST_RESTARTS = 5      # restarts within _RESTART_WINDOW_S before backing off
_RESTART_WINDOW_S = 60.0
_BACKOFF_S = 5.0
_MAX_FRUITLESS = 3          # sender exits in a row that acknowledged nothing: then broken
_PROGRESS_AFTER_S = 2.0     # finish() reports what is left once it has waited this long ...
_PROGRESS_EVERY_S = 2.0     # ... and then this often


class SenderSupervisor:
    def __init__(self, argv: list[str], run_dir: RunDir, progress: Callable[[], int],
                 on_restart: Callable[[str], None] | None = None,
                 needed: Callable[[], bool] = lambda: True,
                 left: Callable[[], int] = lambda: 0,
                 on_broken: Callable[[SenderError], None] | None = None) -> None:
        self._argv = argv
        self._run = run_dir
        self._log_dir = run_dir.logs
        self._progress = progress          # bytes ever acknowledged (ring and spill)
        self._left = left                  # bytes handed over and not yet acknowledged
        self._on_restart = on_restart
        self._on_broken = on_broken
        self._needed = needed              # False once the transport files are gone: nothing to drain
        self._lock = threading.Lock()
        self._finishing = False
        self._proc: subprocess.Popen | None = None
        self._acked_at_spawn = 0
        self._fruitless = 0                # exits in a row that acknowledged nothing
        self._restarts: list[float] = []
        self.broken: SenderError | None = None
        self.spawn_options: dict = {}      # extra Popen arguments (console capture: pass_fds, stderr)

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        try:
            self._proc = self._spawn()
        except OSError as e:
            raise SenderError(f"tidelog: could not start the sender process ({' '.join(self._argv[:3])}): "
                              f"{e}") from e
        threading.Thread(target=self._watch, name="tidelog-sender-watchdog", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _spawn(self) -> subprocess.Popen:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        self._acked_at_spawn = self._progress()
        return subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            close_fds=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            **self.spawn_options,
        )

    def _watch(self) -> None:
        while True:
            proc = self._proc
            assert proc is not None  # noqa: S101 - narrows the type: _proc is set before this thread starts
            code = proc.wait()
            with self._lock:
                if self._finishing and code == 0:
                    return
                if proc is not self._proc:
                    continue
                self._close_pipe(proc)  # a restart must not leave the old pipe to the garbage collector
                if not self._needed():
                    return
                fruitless = self._progress() == self._acked_at_spawn and (code > 0 or self._left() > 0)
                self._fruitless = self._fruitless + 1 if fruitless else 0
                if self._fruitless >= _MAX_FRUITLESS:
                    self.broken = self._broken_error(proc, code)
                    warn_from_thread(str(self.broken))
                    break
                if self._fruitless <= 1:  # a second fruitless exit waits for the verdict: one warning
                    self._report_exit(proc, code)
                self._throttle()
                try:
                    self._proc = self._spawn()
                except OSError as e:
                    warn_from_thread(f"tidelog: could not restart the sender: {e}")
                    time.sleep(_BACKOFF_S)
                    continue
            if self._on_restart is not None:
                self._on_restart(f"sender exited with status {code}; restarted (pid {self._proc.pid})")
        if self._on_broken is not None:
            self._on_broken(self.broken)

    def _throttle(self) -> None:
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < _RESTART_WINDOW_S] + [now]
        if len(self._restarts) > _MAX_FAST_RESTARTS:
            time.sleep(_BACKOFF_S)

    def _exit_detail(self, proc: subprocess.Popen, code: int) -> tuple[str, str]:
        """(how it ended, the last lines of its traceback) of a sender that exited."""
        err = self._run.sender_err(proc.pid)
        detail = ""
        if err.exists():
            text = err.read_text(errors="replace").strip()
            detail = "\n" + "\n".join(text.splitlines()[-20:])
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        return how, detail

    def _report_exit(self, proc: subprocess.Popen, code: int) -> None:
        how, detail = self._exit_detail(proc, code)
        warn_from_thread(f"tidelog: the sender process (pid {proc.pid}) {how}; starting a new one, "
                         f"which re-reads everything not yet written.{detail}")

    def _broken_error(self, proc: subprocess.Popen, code: int) -> SenderError:
        how, detail = self._exit_detail(proc, code)
        return SenderError(
            f"tidelog: the sender process failed {self._fruitless} times in a row without writing "
            f"anything (the last one, pid {proc.pid}, {how}); it is not restarted again. Logging goes on: "
            f"records are kept in shared memory and the spill file, nothing is lost. Once the cause is "
            f"fixed, run `tidelog recover {self._run.path}` after this process ends to write them to "
            f"the run's log. "
            f"Its logs are in {self._log_dir}.{detail}")

    # -- talking to it -------------------------------------------------------

    def wake(self) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or self.broken is not None:
            return
        try:
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # it is gone; the watchdog restarts it and the new one drains the ring

    def finish(self, done: Callable[[], bool], stall_timeout_s: float = 30.0) -> bool:
        """Wait until the sender has written everything and exited.

        ``done()`` says whether everything is acknowledged. Returns False (with
        a warning) if the sender made no progress for ``stall_timeout_s``, and
        at once if the supervisor is broken (the caller says how to recover).
        """
        with self._lock:
            self._finishing = True
        self.wake()
        began = time.monotonic()
        next_report = began + _PROGRESS_AFTER_S
        last = self._progress()
        last_change = began
        while self.broken is None:
            proc = self._proc
            assert proc is not None  # noqa: S101 - narrows the type: _proc is set before this thread starts
            try:
                code = proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                code = None
            if code == 0 and proc is self._proc:
                self._close_pipe(proc)
                if _reported(began, next_report):
                    _progress_line(f"everything written ({time.monotonic() - began:.1f} s)")
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
                warn_from_thread(f"tidelog: the sender made no progress for {stall_timeout_s:.0f} s at "
                                 f"finish() and did not exit; giving up waiting ({left}).")
                return False
            if now >= next_report:
                next_report = now + _PROGRESS_EVERY_S
                _progress_line(f"finishing: {_size(self._left())} left to write "
                               f"(waited {now - began:.0f} s)")
        return False

    @staticmethod
    def _close_pipe(proc: subprocess.Popen) -> None:
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass


def _reported(began: float, next_report: float) -> bool:
    """Has finish() printed progress lines (so it should print the last one)?"""
    return next_report > began + _PROGRESS_AFTER_S


def _progress_line(text: str) -> None:
    print(f"tidelog: {text}", file=sys.stderr, flush=True)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def sender_argv(**options: object) -> list[str]:
    """``python -m tidelog.sender --opt value ...``"""
    argv = [sys.executable, "-m", "tidelog.sender"]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    return argv
