"""Console capture at the Python level (the default, W&B's ``console="wrap"``).

``init()`` patches the ``write`` and ``flush`` methods of the ``sys.stdout``
and ``sys.stderr`` objects (so references taken before ``init()``, such as a
``logging`` handler's stream, are captured too)::

    print ──► sys.stdout.write(text) ──► the original write (first, in the caller's thread)
                                   └───► at a line end or a flush: (stream, time, text) as an entry
                                         of the ring's open console frame (api/link.py,
                                         transport/channel.py); the sender folds the entries
                                         into lines (sender/console_lines.py)

* The terminal shows exactly what it showed without capture: the original
  ``write`` runs first, synchronously, in the caller's thread; the stream
  object is the same one (encoding, ``isatty()``, ``fileno()``, ``buffer``).
  File descriptors are never touched, so ``os.write(1, ...)``, C extensions
  and child processes reach the terminal untouched, and are not stored
  (as in W&B's wrap mode; ``console="redirect"`` captures them: console.py).
* What reached the terminal is in shared memory: text is handed over when the
  stream itself would pass it to the OS on a terminal — a write holding
  ``\n`` or ``\r`` (line buffering), and every ``flush()`` — before that
  call returns. So ``print(...)``, a progress bar's ``\r`` redraw and
  ``print(..., end="", flush=True)`` are all in the run if a ``kill -9``
  follows: the sender adopts a console frame its dead trainer left open
  (transport/ring.py). Text not yet at a line end and not flushed is handed
  over by a helper thread within ``_IDLE_S``.
* Cheap per line: a print's pieces (the text, then ``"\n"``) go over as one
  entry, written into a console frame that grows in place, so a line costs
  one ``struct`` call here and the sender reads a frame per batch of lines,
  not per line. The helper seals the open frame (publishes it to the sender)
  within ``_IDLE_S``; any other record seals it first.
* Never waits on the sender: the hand-over is a non-blocking try of the
  link's lock; only when a ``log()`` holds it at that moment is the text
  kept here (up to ``_MAX_PENDING`` pieces, then the oldest is dropped and
  counted) and handed over by the helper thread a moment later. The same
  non-blocking try is the re-entry guard: a write made while handing over
  (a warning, say) is kept, not recursed into.
* A process forked from the trainer (the run is detached there, see
  api/lifecycle) only writes through: ``detach()`` stops the copies, so
  nothing is sent into the parent's ring.
* ``stop()`` (at ``finish()``) restores the original methods, hands over
  what is left and seals the frame before the exit record is sent.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tidelog.records import pb

__all__ = ["WrapCapture"]

Chunk = tuple[int, float, str]   # (ConsoleOutput stream, time of its first piece, text)

_MAX_PENDING = 1 << 20           # pieces kept while log() calls hold the link (a piece is one write)
_IDLE_S = 0.05                   # the helper hands over text without a line end after at most this
_RETRY_S = 0.002


class WrapCapture:
    dropped = 0

    def __init__(self, lock: Any, put: Callable[[int, float, str], None], seal: Callable[[], None]) -> None:
        """``put(stream, time, text)`` writes a chunk into the ring's open console frame, ``seal()``
        publishes that frame; both are called only with ``lock`` (the link's) held."""
        self._link_lock = lock
        self._put = put
        self._seal = seal
        # Appended to by any thread (the oldest falls out when full); taken only under the link lock.
        self._pending: deque[Chunk] = deque(maxlen=_MAX_PENDING)
        self._active = False
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._patched: list[tuple[Any, str, bool, Any]] = []   # (stream, method name, had own, original)
        self._thread: threading.Thread | None = None

    # -- what the link asks of any capture -----------------------------------------

    def sender_arg(self) -> str:
        return ""   # nothing for the sender to drain: no descriptor is replaced

    def pass_fds(self) -> tuple[int, ...]:
        return ()

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        seen: list[Any] = []
        for stream, kind in ((sys.stdout, pb.ConsoleOutput.STDOUT), (sys.stderr, pb.ConsoleOutput.STDERR)):
            if stream is None or any(s is stream for s in seen):
                continue   # no stream (pythonw), or stderr is the stdout object: wrap it once
            seen.append(stream)
            self._patch(stream, kind)
        self._active = True
        self._thread = threading.Thread(target=self._helper, name="tidelog-console", daemon=True)
        self._thread.start()

    def detach(self) -> None:
        """In a forked child: write through only (the thread that handed over is not here)."""
        self._active = False
        self._pending.clear()

    def stop(self) -> None:
        """Restore the original methods and hand over everything kept."""
        if self._thread is None:
            return
        for stream, name, own, original in reversed(self._patched):
            try:
                if own:
                    setattr(stream, name, original)
                else:
                    delattr(stream, name)
            except (AttributeError, TypeError):
                pass   # the script replaced or closed the stream itself: nothing to restore
        self._patched = []
        self._active = False
        self._stopped.set()
        self._wake.set()
        self._thread.join()
        self._thread = None
        deadline = time.monotonic() + 5.0
        while self._pending and time.monotonic() < deadline and not self._hand_over():
            time.sleep(_RETRY_S)
        with self._link_lock:
            self._seal()

    def close(self) -> None:
        """After the sender has finished: nothing is held open."""

    # -- the wrappers ---------------------------------------------------------------

    def _patch(self, stream: Any, kind: int) -> None:
        own = {name: name in getattr(stream, "__dict__", {}) for name in ("write", "flush")}
        original_write, original_flush = stream.write, stream.flush
        pending, now, capture = self._pending, time.time, self
        acquire, release, put, take_all = self._link_lock.acquire, self._link_lock.release, self._put, self._take_all

        def write(text: Any) -> Any:
            n = original_write(text)      # the terminal first, exactly as without capture
            if type(text) is not str or not text or not capture._active:
                return n
            if "\n" not in text and "\r" not in text:   # not at the terminal yet (line buffering): kept
                if len(pending) == _MAX_PENDING:
                    capture.dropped += 1   # log() calls held the link all this while: the oldest goes
                pending.append((kind, now(), text))
                return n
            if not acquire(blocking=False):   # a log() holds the link, or this thread is handing over
                pending.append((kind, now(), text))
                capture._wake.set()
                return n
            try:
                if not pending:
                    put(kind, now(), text)
                elif len(pending) == 1 and pending[0][0] == kind:   # print(): the text, then "\n"
                    _k, ts, head = pending.popleft()
                    put(kind, ts, head + text)
                else:
                    pending.append((kind, now(), text))
                    take_all()
            finally:
                release()
            return n

        def flush() -> Any:
            out = original_flush()
            if pending and capture._active:
                capture._hand_over()
            return out

        try:
            stream.write = write
        except (AttributeError, TypeError):
            return   # a stream whose methods cannot be replaced is left alone (not captured)
        self._patched.append((stream, "write", own["write"], original_write))
        try:
            stream.flush = flush
        except (AttributeError, TypeError):
            return   # written text is still handed over at line ends and by the helper
        self._patched.append((stream, "flush", own["flush"], original_flush))

    def _hand_over(self) -> bool:
        """Everything kept, into the ring now; False (kept, the helper retries) if the link is busy."""
        lock = self._link_lock
        if not lock.acquire(blocking=False):
            self._wake.set()   # a log() holds the link, or this thread is inside a hand-over already
            return False
        try:
            if self._pending:
                self._take_all()
        finally:
            lock.release()
        return True

    def _take_all(self) -> None:
        """Under the link lock: every kept piece, consecutive pieces of a stream as one chunk.
        Other threads only append (or drop from the left when full), so the n counted are there."""
        pending, put = self._pending, self._put
        n = len(pending)
        if n == 1:
            put(*pending.popleft())
            return
        for chunk in _merge([pending.popleft() for _ in range(n)]):
            put(*chunk)

    def _helper(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(_IDLE_S)
            self._wake.clear()
            pending = self._pending
            while pending and not self._stopped.is_set() and not self._hand_over():
                time.sleep(_RETRY_S)
            if self._link_lock.acquire(blocking=False):
                try:
                    self._seal()   # the sender sees the lines within this tick (nothing open: a no-op)
                finally:
                    self._link_lock.release()


def _merge(pieces: list[Chunk]) -> list[Chunk]:
    """Consecutive pieces of one stream as one chunk, stamped with its first piece's time."""
    if len(pieces) == 2 and pieces[0][0] == pieces[1][0]:   # print(): the text, then "\n"
        (kind, ts, a), (_k, _t, b) = pieces
        return [(kind, ts, a + b)]
    out: list[Chunk] = []
    kind, ts, texts = pieces[0][0], pieces[0][1], [pieces[0][2]]
    for k, t, text in pieces[1:]:
        if k == kind:
            texts.append(text)
            continue
        out.append((kind, ts, "".join(texts)))
        kind, ts, texts = k, t, [text]
    out.append((kind, ts, "".join(texts)))
    return out
