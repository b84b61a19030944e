"""Console capture in the training process: an fd-level tee that never waits on the sender.

``init()`` (unless ``console="off"``) puts a pipe, or a pseudo-terminal when
the target is a terminal, in place of file descriptors 1 and 2, so output of
``print``, C extensions and child processes is all seen::

    fd 1/2 ──► pipe or pty ──► tee thread ──► the original fd 1/2 (first, byte for byte)
                                   └────────► raw chunks as ConsoleOutput records into the ring
                                               (the sender folds them into lines: sender/console_lines.py)

* The terminal shows what it showed before: every byte is written through
  unchanged, in order (right after the chunk is handed to the ring); a terminal target gets a pty (raw mode, its window
  size copied) so ``isatty()`` stays true and libraries keep their colours;
  when fd 1 and fd 2 are the same file or terminal they share one channel,
  so their interleaving is kept exactly (the captured lines are then all
  labelled ``stdout``).
* Training is never held up by the sender: the tee thread only writes to the
  original descriptor and hands chunks to the ring without waiting (a
  non-blocking try of the link's lock; what it cannot hand over yet is kept,
  up to ``_MAX_PENDING`` bytes, then the oldest is dropped and counted). A
  stopped or dead sender therefore never blocks a ``print``.
* ``kill -9`` of the trainer: chunks already in the ring are written by the
  sender as usual; bytes still in the pipe (not yet read by the tee thread)
  are read by the sender, which holds the read ends too (``--console-fds``)
  and drains them, writing them through to the terminal as well, once the
  trainer is gone. The one gap: a chunk the tee thread has read but not yet
  handed over (microseconds; longer only while a ``log()`` holds the channel)
  is shown on the terminal but not stored if the kill lands right then.
* ``stop()`` (at ``finish()``) restores fds 1 and 2 and drains what is left
  before the exit record is sent.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import select
import sys
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass

from tidelog.records import pb

__all__ = ["ConsoleCapture", "CONSOLE_MODES"]

# W&B's console settings; "redirect" is the fd-level capture here (the default is console_wrap.py).
CONSOLE_MODES = ("auto", "off", "wrap", "redirect", "wrap_raw", "wrap_emu")
_READ = 1 << 16
_MAX_PENDING = 8 << 20
_POLL_S = 0.05


@dataclass
class _Channel:
    read_fd: int            # pipe read end, or pty master
    write_fd: int           # pipe write end, or pty slave: dup2'd onto the captured fds
    orig_fd: int            # a dup of the original fd 1 (or 2): where output is written through
    stream: pb.ConsoleOutput.Stream  # STDOUT or STDERR
    targets: tuple[int, ...]  # the fds this channel replaces: (1,), (2,) or (1, 2)


def _same_target(a: int, b: int) -> bool:
    try:
        sa, sb = os.fstat(a), os.fstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino, sa.st_rdev) == (sb.st_dev, sb.st_ino, sb.st_rdev)


def _open_channel(fd: int) -> tuple[int, int]:
    """(read end, write end): a raw pty for a terminal, else a pipe."""
    if os.isatty(fd):
        master, slave = os.openpty()
        tty.setraw(slave)  # no \n -> \r\n, no echo: bytes reach the real terminal as written
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
        except OSError:
            pass  # no window size to copy (not a real terminal): programs see the pty default
        return master, slave
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ: room for bursts while the tee thread waits for the GIL
    except OSError:
        pass  # the system's limit is lower: the default 64 KiB pipe still works
    return r, w


def _write_all(fd: int, data: bytes) -> bool:
    """Write everything to the original descriptor; False once it is gone (a closed terminal)."""
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [], 1.0)
            continue
        except InterruptedError:
            continue
        except OSError:
            return False
        view = view[n:]
    return True


class ConsoleCapture:
    def __init__(self, send: Callable[[list[pb.Record]], bool]) -> None:
        """``send(records)`` hands records to the ring without waiting; False if it could not now."""
        self._send = send
        self._channels: list[_Channel] = []
        out_err_shared = _same_target(1, 2)
        for fd, stream in ((1, pb.ConsoleOutput.STDOUT), (2, pb.ConsoleOutput.STDERR)):
            if fd == 2 and out_err_shared:
                self._channels[0].targets = (1, 2)
                continue
            r, w = _open_channel(fd)
            for x in (r, w):
                os.set_inheritable(x, False)
            self._channels.append(_Channel(r, w, os.dup(fd), stream, (fd,)))
        self._saved = {fd: os.dup(fd) for fd in (1, 2)}   # restored at stop()
        self._decoders = {c.read_fd: codecs.getincrementaldecoder("utf-8")("replace") for c in self._channels}
        self._pending: list[pb.Record] = []
        self._pending_bytes = 0
        self.dropped = 0
        self._terminal_ok = {c.orig_fd: True for c in self._channels}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._eof: set[int] = set()

    # -- what the sender gets -------------------------------------------------------

    def sender_arg(self) -> str:
        """``--console-fds``: ``read:orig:stream,...`` (stream 0 stdout, 1 stderr)."""
        return ",".join(f"{c.read_fd}:{c.orig_fd}:{c.stream}" for c in self._channels)

    def pass_fds(self) -> tuple[int, ...]:
        return tuple(fd for c in self._channels for fd in (c.read_fd, c.orig_fd))

    def original_stderr(self) -> int:
        return self._saved[2]

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            _flush(stream)
        for c in self._channels:
            for fd in c.targets:
                os.dup2(c.write_fd, fd)
        self._thread = threading.Thread(target=self._tee, name="tidelog-console", daemon=True)
        self._thread.start()

    def detach(self) -> None:
        """In a forked child: nothing to do. Its fds 1 and 2 are the parent's pipes, read by the
        parent's tee thread (threads do not survive a fork), so its output is shown and stored there."""

    def stop(self) -> None:
        """Restore fds 1 and 2, take in what is still in the pipes, hand everything over."""
        if self._thread is None:
            return
        for stream in (sys.stdout, sys.stderr):
            _flush(stream)
        for fd, saved in self._saved.items():
            os.dup2(saved, fd)
        for c in self._channels:
            os.close(c.write_fd)
        self._stop.set()
        self._thread.join()
        self._thread = None
        self._drain(timeout=0.0)
        for c in self._channels:
            text = self._decoders[c.read_fd].decode(b"", final=True)
            if text:
                self._keep(pb.ConsoleOutput(stream=c.stream, timestamp=time.time(), text=text))
        self._hand_over(wait=True)

    def close(self) -> None:
        """After the sender has finished: release the descriptors; a forwarder keeps the pipes
        of children still alive flowing to the terminal."""
        for fd in self._saved.values():
            os.close(fd)
        channels, self._channels = self._channels, []
        threading.Thread(target=self._forward, args=(channels,), name="tidelog-console-forward",
                         daemon=True).start()

    # -- the tee thread -------------------------------------------------------------

    def _tee(self) -> None:
        while not self._stop.is_set():
            # Chunks waiting for the channel are retried soon; otherwise sleep in select.
            self._drain(timeout=0.002 if self._pending else _POLL_S)
            self._hand_over(wait=False)

    def _drain(self, timeout: float, limit: int = 4 << 20) -> None:
        """Read what is ready (waiting up to ``timeout`` for the first bytes), write it through, keep it.

        Returns once nothing more is ready or ``limit`` bytes were read (a child process that
        never stops printing must not keep ``stop()`` waiting)."""
        fds = {c.read_fd: c for c in self._channels if c.read_fd not in self._eof}
        if not fds:
            time.sleep(timeout)   # the script closed fds 1 and 2: nothing left to read
            return
        taken = 0
        while fds and taken < limit:
            try:
                ready, _, _ = select.select(list(fds), [], [], timeout)
            except InterruptedError:
                continue
            if not ready:
                return
            timeout = 0.0
            for fd in ready:
                c = fds[fd]
                try:
                    data = os.read(fd, _READ)
                except OSError:   # EIO: a pty whose every writer has closed
                    data = b""
                if not data:      # every writer closed (the script closed fds 1 and 2 itself)
                    self._eof.add(fd)
                    del fds[fd]
                    continue
                taken += len(data)
                # Into the ring first (it never waits), then the terminal: a kill -9 between the
                # read and the hand-over is the one moment read bytes can miss the run, so keep it short.
                text = self._decoders[fd].decode(data)
                if text:
                    self._keep(pb.ConsoleOutput(stream=c.stream, timestamp=time.time(), text=text))
                    if not self._stop.is_set():
                        self._hand_over(wait=False)
                if self._terminal_ok[c.orig_fd]:
                    self._terminal_ok[c.orig_fd] = _write_all(c.orig_fd, data)

    def _forward(self, channels: list[_Channel]) -> None:
        """After stop(): children that still hold the old stdout/stderr keep reaching the terminal
        (no longer stored) until they close it; then the descriptors are released here."""
        open_ = {c.read_fd: c for c in channels if c.read_fd not in self._eof}
        while open_:
            ready, _, _ = select.select(list(open_), [], [])
            for fd in ready:
                try:
                    data = os.read(fd, _READ)
                except OSError:
                    data = b""
                if data:
                    _write_all(open_[fd].orig_fd, data)
                else:
                    del open_[fd]
        for c in channels:
            os.close(c.read_fd)
            os.close(c.orig_fd)

    def _keep(self, out: pb.ConsoleOutput) -> None:
        self._pending.append(pb.Record(console=out))
        self._pending_bytes += len(out.text)
        while self._pending_bytes > _MAX_PENDING and len(self._pending) > 1:
            self._pending_bytes -= len(self._pending.pop(0).console.text)
            self.dropped += 1

    def _hand_over(self, wait: bool) -> None:
        if not self._pending:
            return
        if self._send(self._pending) if not wait else self._send_waiting():
            self._pending, self._pending_bytes = [], 0

    def _send_waiting(self) -> bool:
        deadline = time.monotonic() + 5.0
        while not self._send(self._pending):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True


def _flush(stream) -> None:
    try:
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass  # a closed or replaced stream: nothing buffered to keep
