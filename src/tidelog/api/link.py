"""The training process's end of the pipeline for one run.

Owns the frame counter, the channel (ring + spill) and the sender
supervisor. Every record leaves through here, under one lock, so frames
enter the ring in frame-number order even when several threads log:
``send``/``send_media`` take the lock themselves; ``put`` and ``put_packed``
are for a caller that already holds ``lock`` because it must decide
something in the same critical section (``log()`` claims its step there).

If the supervisor gives up on a sender that keeps dying (it is *broken*),
records still go into the ring and the spill file; ``close()`` then returns
at once, leaves those files in place and says how to write them to the
run's log (``tidelog recover``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from tidelog._warn import warn
from tidelog.errors import SenderError, UsageError
from tidelog.records import pb
from tidelog.rundir import RunDir
from tidelog.runlock import TRAINER, try_hold
from tidelog.settings import Settings
from tidelog.transport.channel import Channel
from tidelog.transport.console import ConsoleCapture
from tidelog.transport.console_wrap import WrapCapture
from tidelog.transport.fastpath import console_packer, console_utf8, encode_record
from tidelog.transport.frames import layout_media
from tidelog.transport.ring import Ring, choose_ring_path
from tidelog.transport.supervisor import SenderSupervisor, sender_argv

__all__ = ["Link"]



class Link:
    """One run's outlet: numbers frames (1, 2, ... in ring order) and hands them to the channel."""

    def __init__(self, run_dir: Path, run_id: str, settings: Settings, first_frame: int) -> None:
        self.run_dir = run_dir
        paths = self.paths = RunDir(run_dir)
        lock_fd = try_hold(run_dir, TRAINER)  # readers see the run as running while it is held
        if lock_fd is None:
            raise UsageError(f"another process has the run at {run_dir} open")
        self._lock_fd = lock_fd
        self.ring = self._make_ring(run_dir, run_id, settings.ring_bytes)
        self.channel = Channel(self.ring, paths.spill)
        self.frame = first_frame
        self.lock = threading.Lock()
        # W&B's default is Python-level ("wrap"); "redirect" is the fd-level tee (docs/console.md).
        self.console: ConsoleCapture | WrapCapture | None = (
            None if settings.console == "off" else
            ConsoleCapture(self._try_send) if settings.console == "redirect"
            else WrapCapture(self.lock, self._put_console, self.channel.seal_console))
        console_fds = self.console.sender_arg() if self.console is not None else ""
        argv = sender_argv(
            run_dir=run_dir, ring=self.ring.path, spill=self.channel.spill_path,
            fsync=settings.fsync, trainer_pid=os.getpid(), stats_interval=settings.stats_interval_s,
            **({"console_fds": console_fds} if console_fds else {}),
            **({"server": settings.server} if settings.server else {}),
        )
        ring = self.ring
        self.supervisor = SenderSupervisor(
            argv, paths, progress=lambda: ring.read_pos + ring.spill_acked,
            on_restart=self._restarted, needed=ring.path.exists,
            left=lambda: (ring.write_pos - ring.read_pos) + (ring.spill_written - ring.spill_acked),
            on_broken=self._broken,
        )
        if isinstance(self.console, ConsoleCapture):  # the sender holds the tee read ends (kill -9), not the write ends
            self.supervisor.spawn_options = {"pass_fds": self.console.pass_fds(),
                                             "stderr": self.console.original_stderr()}

    @staticmethod
    def _make_ring(run_dir: Path, run_id: str, nbytes: int) -> Ring:
        path = choose_ring_path(run_id, run_dir, nbytes)
        try:
            return Ring.create(path, nbytes, run_dir)
        except OSError:
            fallback = RunDir(run_dir).ring
            if path == fallback:
                raise
            return Ring.create(fallback, nbytes, run_dir)  # /dev/shm refused it

    def start(self) -> None:
        self.supervisor.start()
        if self.console is not None:
            self.console.start()

    def send(self, record: pb.Record) -> None:
        if self.console is not None and record.HasField("exit"):
            self.console.stop()  # every captured line goes before the exit record
        with self.lock:
            self.put(encode_record(record, self.frame + 1))

    def _try_send(self, records: list[pb.Record]) -> bool:
        """The fd-level capture's records: handed over now, or False if a log() holds the lock (never waits)."""
        if not self.lock.acquire(blocking=False):
            return False
        try:
            for record in records:
                self.frame += 1
                self.channel.send(encode_record(record, self.frame))
        finally:
            self.lock.release()
        return True

    def _put_console(self, stream: int, ts: float, text: str) -> None:
        """Under ``lock``: a chunk the wrap capture hands over, as an entry of the open console frame
        (one is opened as needed; the channel publishes it before any other frame, and the capture's
        helper seals it within moments). A chunk that no console frame can take now (the ring is full
        or a spill is draining, or it is bigger than a frame) goes as a record of its own."""
        data = console_utf8(text)
        chan = self.channel
        if chan.append_console(stream, ts, data):
            return
        chan.seal_console()
        if chan.open_console(self.frame + 1):
            self.frame += 1
            if chan.append_console(stream, ts, data):
                return
        self.frame += 1
        chan.send_packed(console_packer(stream, len(data)), ts, data, self.frame)   # a record frame of its own

    def send_media(self, record: pb.Record, prepared: list) -> None:
        """A record whose rich values are placeholders; the arrays are copied now."""
        with self.lock:
            self.put(encode_record(record, self.frame + 1), prepared)

    def put(self, payload: bytes, prepared: list | None = None) -> int:
        """Under ``lock``: hand over frame ``frame + 1``, whose record ``payload`` was encoded with that
        number; with ``prepared``, a media frame (the arrays are copied now). Returns the number."""
        frame_no = self.frame + 1
        if prepared:
            self.channel.send_media(layout_media(payload, prepared))
        else:
            self.channel.send(payload)
        self.frame = frame_no
        return frame_no

    def put_packed(self, packer: Any, values: tuple, step: int, ts: float) -> int:
        """Under ``lock``: the next frame, a history row that a compiled ``packer`` (a
        ``transport.fastpath.RowPacker``) packs straight into the ring (else the spill file).
        Returns its number; ``struct.error`` (a value beyond its field) hands over nothing."""
        frame_no = self.frame + 1
        chan = self.channel
        size = packer.size
        off = chan.reserve(size)
        if off is not None:
            packer.pack_into(chan.mm, off, values, step, ts, frame_no)
            chan.publish()
        else:
            frame = packer.pack(values, step, ts, frame_no)
            chan.spill([frame, b"\0" * (size - len(frame))])
        self.frame = frame_no
        return frame_no

    def _restarted(self, message: str) -> None:
        import time

        self.send(pb.Record(notice=pb.Notice(level=pb.Notice.WARNING, timestamp=time.time(), message=message)))

    def _broken(self, error: SenderError) -> None:
        """Kept in the run's log (written when it is recovered): why the run stopped being written."""
        import time

        self.send(pb.Record(notice=pb.Notice(level=pb.Notice.ERROR, timestamp=time.time(), message=str(error))))

    def close(self) -> bool:
        """After the exit record: wait for the sender to write everything. True if it did."""
        self.ring.mark_closed()
        ok = self.supervisor.finish(done=lambda: self.ring.read_pos == self.ring.write_pos)
        if self.supervisor.broken is not None:
            warn(f"tidelog: the run's records are not written to {self.paths.wal}: the sender kept "
                 f"failing (see the earlier warning and {self.paths.logs}). Nothing is lost: they are "
                 f"kept in {self.ring.path} and {self.channel.spill_path.parent}. Once the cause is fixed, "
                 f"run `tidelog recover {self.run_dir}` after this process ends to write them to the run's log.")
        self.channel.close()
        self.ring.close()
        os.close(self._lock_fd)
        if self.console is not None:
            self.console.close()
            if self.console.dropped:
                warn(f"tidelog: {self.console.dropped} console chunk(s) were not stored: more than 8 MiB of "
                     "output waited while log() calls held the channel")
        if self.channel.dropped:
            warn(f"tidelog: {self.channel.dropped} record(s) could not be handed to the sender "
                 "(the disk was full); everything else was written")
        return ok
