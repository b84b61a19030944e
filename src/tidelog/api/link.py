"""The training process's end of the pipeline for one run.

Owns the frame counter, the channel (ring + spill) and the sender
supervisor. Every record leaves through here, under one lock, so frames
enter the ring in frame-number order even when several threads log.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tidelog._warn import warn
from tidelog.errors import UsageError
from tidelog.records import pb
from tidelog.records.fastpath import encode_record
from tidelog.runlock import TRAINER, try_hold
from tidelog.settings import Settings
from tidelog.transport.channel import Channel
from tidelog.transport.frames import layout_media
from tidelog.transport.ring import Ring, choose_ring_path
from tidelog.transport.supervisor import SenderSupervisor, sender_argv

__all__ = ["Link"]



class Link:
    def __init__(self, run_dir: Path, run_id: str, settings: Settings, first_frame: int) -> None:
        self.run_dir = run_dir
        lock_fd = try_hold(run_dir, TRAINER)  # readers see the run as running while it is held
        if lock_fd is None:
            raise UsageError(f"another process has the run at {run_dir} open")
        self._lock_fd = lock_fd
        self.ring = self._make_ring(run_dir, run_id, settings.ring_bytes)
        self.channel = Channel(self.ring, run_dir / "transport" / "spill")
        self.frame = first_frame
        self.lock = threading.Lock()
        argv = sender_argv(
            run_dir=run_dir, ring=self.ring.path, spill=self.channel.spill_path,
            fsync=settings.fsync, trainer_pid=os.getpid(), stats_interval=settings.stats_interval_s,
            **({"server": settings.server} if settings.server else {}),
        )
        self.supervisor = SenderSupervisor(
            argv, run_dir / "logs", progress=lambda: self.ring.read_pos, on_restart=self._restarted,
            needed=self.ring.path.exists,
        )

    @staticmethod
    def _make_ring(run_dir: Path, run_id: str, nbytes: int) -> Ring:
        path = choose_ring_path(run_id, run_dir, nbytes)
        try:
            return Ring.create(path, nbytes, run_dir)
        except OSError:
            if path.parent == run_dir / "transport":
                raise
            return Ring.create(run_dir / "transport" / "ring", nbytes, run_dir)  # /dev/shm refused it

    def start(self) -> None:
        self.supervisor.start()

    def send(self, record: "pb.Record") -> None:
        with self.lock:
            self.frame += 1
            self.channel.send(encode_record(record, self.frame))

    def send_media(self, record: "pb.Record", prepared: list) -> None:
        """A record whose rich values are placeholders; the arrays are copied now."""
        with self.lock:
            self.frame += 1
            self.channel.send_media(layout_media(encode_record(record, self.frame), prepared))

    def _restarted(self, message: str) -> None:
        import time

        self.send(pb.Record(notice=pb.Notice(level=pb.Notice.WARNING, timestamp=time.time(), message=message)))

    def close(self) -> bool:
        """After the exit record: wait for the sender to write everything. True if it did."""
        self.ring.mark_closed()
        ok = self.supervisor.finish(done=lambda: self.ring.read_pos == self.ring.write_pos)
        self.channel.close()
        self.ring.close()
        os.close(self._lock_fd)
        if self.channel.dropped:
            warn(f"tidelog: {self.channel.dropped} record(s) could not be handed to the sender "
                 "(the disk was full); everything else was written")
        return ok
