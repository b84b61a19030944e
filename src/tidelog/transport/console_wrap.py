"""Console capture at the Python level (the default, W&B's ``console="wrap"``).

``init()`` patches the ``write`` method of the ``sys.stdout`` and ``sys.stderr``
objects (so references taken before ``init()``, such as a ``logging``
handler's stream, are captured too)::

    print ──► sys.stdout.write(text) ──► the original write (first, in the caller's thread)
                                   └───► a copy as a ConsoleOutput record into the ring
                                          (the sender folds them into lines: sender/console_lines.py)

* The terminal shows exactly what it showed without capture: the original
  ``write`` runs first, synchronously, in the caller's thread; the stream
  object is the same one (encoding, ``isatty()``, ``fileno()``, ``buffer``).
  File descriptors are never touched, so ``os.write(1, ...)``, C extensions
  and child processes reach the terminal untouched, and are not stored
  (as in W&B's wrap mode; ``console="redirect"`` captures them: console.py).
* Never waits on the sender: the copy is handed to the ring with a
  non-blocking try of the link's lock, before ``write`` returns; only when a
  ``log()`` holds the lock at that moment is it kept here (up to
  ``_MAX_PENDING`` characters, then the oldest is dropped and counted) and
  handed over by a helper thread a moment later. What ``print`` returned
  from before a ``kill -9`` is therefore in the ring, bar that case.
* A process forked from the trainer (the run is detached there, see
  api/lifecycle) only writes through: nothing is sent into the parent's ring.
* ``stop()`` (at ``finish()``) restores the original ``write`` methods and
  hands over what is left before the exit record is sent.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from tidelog.records import pb

__all__ = ["WrapCapture"]

_MAX_PENDING = 8 << 20
_RETRY_S = 0.002


class WrapCapture:
    dropped = 0

    def __init__(self, send: Callable[[list[tuple[int, float, str]]], bool]) -> None:
        """``send(chunks)`` hands ``(stream, time, text)`` chunks to the ring without waiting; False if not now."""
        self._send = send
        self._pid = os.getpid()
        self._lock = threading.Lock()      # guards _pending (held only to append or swap the list)
        self._pending: list[tuple[int, float, str]] = []   # (stream, time, text)
        self._pending_chars = 0
        self._wake = threading.Event()
        self._stopped = False
        self._local = threading.local()    # re-entry guard: a write made while handing over
        self._patched: list[tuple[Any, bool, Any]] = []   # (stream, had own write, that write)
        self._thread: threading.Thread | None = None

    # -- what the link asks of any capture -----------------------------------------

    def sender_arg(self) -> str:
        return ""   # nothing for the sender to drain: no descriptor is replaced

    def pass_fds(self) -> tuple[int, ...]:
        return ()

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        for stream, kind in ((sys.stdout, pb.ConsoleOutput.STDOUT), (sys.stderr, pb.ConsoleOutput.STDERR)):
            if stream is None or any(s is stream for s, _o, _w in self._patched):
                continue   # no stream (pythonw), or stderr is the stdout object: wrap it once
            self._patch(stream, kind)
        self._thread = threading.Thread(target=self._retry, name="tidelog-console", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Restore the original ``write`` methods and hand over everything kept."""
        if self._thread is None:
            return
        for stream, own, write in reversed(self._patched):
            try:
                if own:
                    stream.write = write
                else:
                    del stream.write
            except (AttributeError, TypeError):
                pass   # the script replaced or closed the stream itself: nothing to restore
        self._patched = []
        self._stopped = True
        self._wake.set()
        self._thread.join()
        self._thread = None
        deadline = time.monotonic() + 5.0
        while self._pending and time.monotonic() < deadline and not self._hand_over():
            time.sleep(0.001)

    def close(self) -> None:
        """After the sender has finished: nothing is held open."""

    # -- the wrapper ----------------------------------------------------------------

    def _patch(self, stream: Any, kind: int) -> None:
        own = "write" in getattr(stream, "__dict__", {})
        original = stream.write
        keep = self._keep

        def write(text: Any) -> Any:
            n = original(text)            # the terminal first, exactly as without capture
            if isinstance(text, str) and text:
                keep(kind, text)
            return n

        try:
            stream.write = write
        except (AttributeError, TypeError):
            return   # a stream whose methods cannot be replaced is left alone (not captured)
        self._patched.append((stream, own, original if own else None))

    def _keep(self, kind: int, text: str) -> None:
        if os.getpid() != self._pid or self._stopped:
            return   # a forked child (the run belongs to the parent), or after stop()
        local = self._local
        if getattr(local, "busy", False):
            return   # written while handing over (a warning, say): would recurse
        local.busy = True
        try:
            with self._lock:
                pending = self._pending
                pending.append((kind, time.time(), text))
                if self._send(pending):      # the common case: straight into the ring
                    self._pending, self._pending_chars = [], 0
                    return
                self._pending_chars += len(text)
                while self._pending_chars > _MAX_PENDING and len(pending) > 1:
                    self._pending_chars -= len(pending.pop(0)[2])
                    self.dropped += 1
            self._wake.set()   # a log() holds the channel: the helper thread retries soon
        finally:
            local.busy = False

    def _hand_over(self) -> bool:
        """Hand what is kept to the ring now, or leave it kept; never waits for the link."""
        with self._lock:
            if not self._pending:
                return True
            if not self._send(self._pending):
                return False
            self._pending, self._pending_chars = [], 0
        return True

    def _retry(self) -> None:
        while not self._stopped:
            self._wake.wait()
            while not self._stopped and not self._hand_over():
                time.sleep(_RETRY_S)
            self._wake.clear()
            if self._pending and not self._stopped:
                self._wake.set()
