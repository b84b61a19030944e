"""The sender process: ``python -m tidelog.sender --run-dir D --ring R --spill S ...``.

It is the WAL's only writer. Its loop::

    poll the transport ─► build records ─► WAL append ─► acknowledge ─┐
         ▲   (ring, then spill)   (blocks, media)   (fsync by policy)   │
         └──── wait: a wake byte on stdin, or the tick ◄──────────────────┘

Frames linger in the ring (where they already survive both processes) up to
the fsync interval or until 1 MiB waits, so history rows are written as big,
well-compressed blocks; finishing, a dead trainer or a backlog write at once.

and it stops when

* the trainer's exit record has been written and nothing is left: footer,
  fsync, exit 0 (a normal ``finish()``);
* the trainer is gone (stdin closed, or re-parented) and nothing is left: the
  run is marked ``crashed``, footer, fsync, exit 0.

If the disk refuses a write, the sender warns on stderr, keeps the records in
memory (bounded) and retries; the trainer is never held up. An exception that
escapes the loop is written to ``logs/sender-<pid>.err`` for the trainer's
watchdog to report, and the sender exits 1 (its successor re-reads
everything that was not acknowledged).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from tidelog.read.tail import last_transport_mark
from tidelog.records import pb
from tidelog.rundir import RunDir
from tidelog.runlock import SENDER, try_hold
from tidelog.sender.builder import RecordBuilder
from tidelog.sender.console_lines import ConsoleFds
from tidelog.sender.encode_pool import batch_bytes
from tidelog.sender.live import start_live
from tidelog.sender.source import FrameSource
from tidelog.sender.stats import SystemStatsSampler
from tidelog.settings import DEFAULTS
from tidelog.transport.ring import Ring
from tidelog.wal import FsyncPolicy, WalWriter

__all__ = ["main", "Sender"]

_TICK_S = 0.02               # idle poll interval; the ring is also checked on every wake
_BATCH_BYTES = 8 << 20       # payload per WAL append (more when it is media: sender.encode_pool)
_PENDING_LIMIT = 256 << 20   # records held in memory while the disk refuses writes
_RETRY_S = 1.0
_NICENESS = 10
_MAX_LINGER_S = 1.0          # frames wait at most this long in the ring before a write ...
_LINGER_BYTES = 1 << 20      # ... or until this much is waiting


def _log(msg: str) -> None:
    print(f"tidelog (sender pid {os.getpid()}): {msg}", file=sys.stderr, flush=True)


class Sender:
    """One run's sender: the WAL's only writer while it holds the run's ``.sender.lock``.

    Contract: a frame is acknowledged to the trainer only once the WAL holds its
    records (so a crash of either process loses nothing that was handed over);
    records are written in frame order, each frame once, also across a restart
    (the WAL's last ``TransportMark`` says where to go on); when the trainer is
    gone and nothing is left, the run is marked crashed. ``run()`` returns when
    the run is finished or abandoned; anything it raises is for ``main`` to log.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.run_dir = Path(args.run_dir)
        self.trainer_pid = args.trainer_pid
        self._lock_fd = self._lock()
        self.ring = Ring.attach(Path(args.ring))
        self.source = FrameSource(self.ring, Path(args.spill))
        self.writer = WalWriter(RunDir(self.run_dir).wal, fsync=FsyncPolicy.parse(args.fsync))
        self.builder = RecordBuilder(
            self.run_dir, next_seq=self.writer.last_seq + 1,
            last_frame=last_transport_mark(RunDir(self.run_dir).wal),
        )
        self.stats = SystemStatsSampler(self.trainer_pid, self.run_dir, args.stats_interval)
        self.console_fds = ConsoleFds(args.console_fds)
        self.live = start_live(self.run_dir, args.server, _log) if args.server else None  # live mode
        self.linger_s = self._linger_s()
        self.media_bytes = batch_bytes(self.builder.media.workers, _BATCH_BYTES)
        self._wake = threading.Event()
        self._trainer_gone = threading.Event()
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._dropped = 0
        self._disk_full_since: float | None = None
        self._next_retry = 0.0
        threading.Thread(target=self._watch_stdin, name="tidelog-stdin", daemon=True).start()

    def _lock(self) -> int:
        """Hold ``.sender.lock`` while alive: readers tell a running run from a crashed one by it."""
        deadline = time.monotonic() + 30
        while True:
            fd = try_hold(self.run_dir, SENDER)
            if fd is not None:
                return fd
            if time.monotonic() > deadline:
                raise RuntimeError("another sender holds the run's lock for 30 s")
            time.sleep(0.01)  # a predecessor that just died releases it at once

    def _watch_stdin(self) -> None:
        """A byte means 'wake up'; end of file means the trainer closed the pipe or died."""
        # The raw descriptor, not sys.stdin: a daemon thread blocked inside a
        # buffered reader aborts the interpreter at shutdown.
        while True:
            try:
                data = os.read(0, 4096)
            except OSError:
                data = b""
            if not data:
                self._trainer_gone.set()
                self._wake.set()
                return
            self._wake.set()

    def trainer_alive(self) -> bool:
        return not self._trainer_gone.is_set() and os.getppid() == self.trainer_pid

    # -- the loop --------------------------------------------------------------

    def _linger_s(self) -> float:
        """How long produced frames may wait in the ring before a write.

        Waiting is safe (the ring survives both processes) and makes bigger
        history blocks, which compress several times better than a block per
        tick. It never exceeds what the fsync policy already allows a machine
        crash to lose: 0 under ``batch``, the interval under ``interval``.
        """
        policy = self.writer.policy
        if policy.mode == "batch":
            return 0.0
        if policy.mode == "interval":
            return min(policy.interval_ms / 1000.0, _MAX_LINGER_S)
        return _MAX_LINGER_S

    def _due(self, since: float) -> bool:
        """Write now? Lingered long enough, a backlog, or the trainer finishing or gone."""
        return (time.monotonic() - since >= self.linger_s
                or self.source.backlog() >= _LINGER_BYTES
                or self.ring.closed
                or not self.trainer_alive())

    def run(self) -> None:
        since: float | None = None   # when unwritten frames were first seen
        adopted = False
        while True:
            if not adopted and not self.trainer_alive():
                adopted = True
                self.ring.adopt_open()   # the console frame a dead trainer left open (transport/ring.py)
            sample = self.stats.maybe_sample()  # also while busy: a backlog must not hide the machine
            if sample is not None:
                self._write([self.builder.record(pb.Record(stats=sample))])
            if since is None and self.source.pending():
                since = time.monotonic()
            batch = (self.source.poll(_BATCH_BYTES, self.media_bytes)
                     if since is not None and self._due(since) else None)
            if batch:
                records = self.builder.build(batch.frames)
                batch.frames.clear()
                self._write(records + self._notices())
                self.source.ack(batch)
                # What arrived meanwhile lingers afresh (a backlog is still written at once).
                since = time.monotonic() if self.source.pending() else None
                continue
            self._retry_pending()
            self.writer.maybe_sync()
            if self.builder.exit_seen and not self.source.pending():
                return self._close()
            if not self.trainer_alive() and not self.source.pending():
                return self._close(crashed=True)
            self._wake.wait(_TICK_S)
            self._wake.clear()

    def _notices(self) -> list[bytes]:
        out = []
        for text in self.builder.notices:
            _log(text)
            out.append(self.builder.record(pb.Record(notice=pb.Notice(
                level=pb.Notice.ERROR, timestamp=time.time(), message=text))))
        self.builder.notices.clear()
        return out

    def _close(self, crashed: bool = False) -> None:
        tail = []
        sample = None if crashed else self.stats.final_sample()
        if sample is not None:
            tail.append(self.builder.record(pb.Record(stats=sample)))
        if crashed:
            for stream, ts, text in self.console_fds.drain():   # printed just before the trainer died
                tail.extend(self.builder.console_lines(self.builder.console.feed(stream, ts, text)))
            tail.extend(self.builder.console_lines(self.builder.console.flush()))
            _log("the training process ended without finish(); marking the run crashed")
            exit_ = pb.RunExit(state="crashed", time=time.time(), exit_code=-1)
            tail.append(self.builder.record(pb.Record(exit=exit_)))
        output_log = self.builder.output_log.close()
        if output_log is not None:
            tail.append(self.builder.record(pb.Record(file=output_log)))
        tail.extend(self._notices())
        tail.append(self.builder.record(pb.Record(footer=pb.Footer(records=self.builder.seq - 1))))
        self._write(tail)
        deadline = time.monotonic() + 10
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.2)
            self._retry_pending(force=True)
        if self._pending:
            _log(f"the disk still refuses writes; {len(self._pending)} record(s) could not be written")
        self.writer.sync()
        self.writer.close()
        if self.live is not None:
            self.live.finish()
        self.builder.close()
        self.stats.close()
        self.source.close()
        self.ring.close()
        self._remove_transport_files()

    def _remove_transport_files(self) -> None:
        self.ring.path.unlink(missing_ok=True)
        spill = self.source.spill_path
        for path in spill.parent.glob(f"{spill.name}.*"):
            path.unlink(missing_ok=True)

    # -- writing, with a full disk in mind --------------------------------------

    def _write(self, records: list[bytes]) -> None:
        if self._pending:
            self._hold(records)
            self._retry_pending()
            return
        try:
            self.writer.append(records)
        except OSError as e:
            self._disk_error(e)
            self._hold(records)

    def _hold(self, records: list[bytes]) -> None:
        self._pending.extend(records)
        self._pending_bytes += sum(map(len, records))
        while self._pending_bytes > _PENDING_LIMIT and len(self._pending) > 1:
            self._pending_bytes -= len(self._pending.pop(0))
            self._dropped += 1

    def _retry_pending(self, force: bool = False) -> None:
        if not self._pending or (not force and time.monotonic() < self._next_retry):
            return
        try:
            self.writer.append(self._pending)
        except OSError as e:
            self._disk_error(e)
            return
        took = time.monotonic() - (self._disk_full_since or time.monotonic())
        msg = f"the disk accepts writes again after {took:.1f} s; the held records are written"
        if self._dropped:
            msg += f"; {self._dropped} record(s) were dropped to bound memory"
        _log(msg)
        self._pending, self._pending_bytes, self._disk_full_since = [], 0, None
        self.writer.append([self.builder.record(pb.Record(notice=pb.Notice(
            level=pb.Notice.WARNING, timestamp=time.time(), message=msg)))])
        self._dropped = 0

    def _disk_error(self, e: OSError) -> None:
        self._next_retry = time.monotonic() + _RETRY_S
        if self._disk_full_since is None:
            self._disk_full_since = time.monotonic()
            why = "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else f"a write failed ({e})"
            _log(f"WARNING: {why}: cannot write the WAL in {self.run_dir}; training goes on, records are "
                 f"held in memory (up to {_PENDING_LIMIT >> 20} MiB) and written when space returns")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tidelog.sender")
    p.add_argument("--run-dir", required=True)
    p.add_argument("--ring", required=True)
    p.add_argument("--spill", required=True)
    # Defaults are settings.DEFAULTS'; the trainer always passes the values it checked at init().
    p.add_argument("--fsync", default=DEFAULTS.fsync)
    p.add_argument("--trainer-pid", type=int, required=True)
    p.add_argument("--stats-interval", type=float, default=DEFAULTS.stats_interval_s)
    # The trainer's console capture (transport/console.py): read:orig:stream,... descriptors it passed.
    p.add_argument("--console-fds", default="")
    p.add_argument("--server", default="", help="live mode: also stream the WAL to this tidelog server")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C in the terminal is for the training script; the sender finishes
    # the run when the trainer exits, whichever way it exits.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Background work: when the trainer and the sender compete for a core
    # (encoding a burst of images), the trainer wins.
    os.nice(_NICENESS)
    args = _parse(argv)
    try:
        Sender(args).run()
    except BaseException:  # noqa: BLE001 - any end, even Ctrl-C, is written to the sender's error file
        text = traceback.format_exc()
        err = RunDir(args.run_dir).sender_err(os.getpid())
        err.parent.mkdir(parents=True, exist_ok=True)
        err.write_text(text)
        print(text, file=sys.stderr, flush=True)
        return 1
    return 0
