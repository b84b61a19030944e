"""A single-producer, single-consumer ring of frames in a shared memory file.

The trainer (producer) writes frames; the sender (consumer) reads them and,
once they are durable in the WAL, *acknowledges* them by advancing
``read_pos``. Unacknowledged bytes are never overwritten, so a sender that
dies is replaced by one that re-reads from ``read_pos``; the ring lives in a
file (under /dev/shm when it has room), so a trainer that dies leaves every
frame it wrote for the sender to drain.

File layout (little-endian)::

    0     8  magic  b"TLRING01"
    8     4  version (1)            12  4  header size (4096)
    16    8  capacity C (bytes of the data area, a multiple of 8)
    24    4  producer pid           28  4  reserved
    64    8  write_pos   producer-owned; bytes ever written (monotonic)
    128   8  read_pos    consumer-owned; bytes ever acknowledged (monotonic)
    192   8  spill_written  producer-owned; bytes appended to the spill file
    256   8  spill_acked    consumer-owned
    320   4  closed (producer sets 1 after its last frame)
    384   8  spill_episode  producer-owned; the current spill file is <spill>.<episode>
    448   8  spill_base     producer-owned; the spill position where that file starts
    512   8  open_frame     producer-owned; 1 + the position of the open frame, 0 if none
    576   4  run_dir length, then the run directory (UTF-8): where an orphaned
             ring's frames belong (``transport.recover``)
    4096  C  data area

    frame := u32 length | u16 tag | u16 0 | payload[length] | zero pad to 8
    A frame never wraps: if it does not fit before the end of the data area,
    the producer writes a PAD frame header (tag 0xFFFF) there, or nothing if
    fewer than 8 bytes remain, and continues at offset 0.

The *open frame* lets the producer grow one frame in place (the console
capture's batch of lines, ``frames.TAG_CONSOLE_LINES``): ``open_frame`` reserves
room for up to ``max_payload`` bytes just past ``write_pos`` and records its
position in ``open_frame``; the producer writes whole entries into it and
keeps the frame header's length current (after the bytes it counts), and
``close_open`` publishes the frame at the length reached. The producer
closes it before it reserves any other frame, so frames stay in order. If
the producer dies with a frame open, the consumer adopts it (``adopt_open``): the
frame as its header stands (whole entries only) is published by the
consumer, so what was written into it before a ``kill -9`` is not lost.

Invariants: ``read_pos <= write_pos <= read_pos + C``; the producer stores a
frame's bytes before it publishes the new ``write_pos`` (an aligned 8-byte
store; x86-64 keeps stores in order, and the consumer validates each frame
header against ``write_pos`` before trusting it).

When a frame does not fit (the ring is full, or the frame is larger than the
ring), the producer *spills*: it appends that frame and every following one
to a spill file, in the same frame format without wrapping, until the
consumer has acknowledged the whole spill file; only then does it return to
the ring, and delete that file. The consumer reads the spill file only when
the ring is empty, so frames are consumed in the order they were produced.
Spill positions are monotonic across episodes: an episode's file holds the
bytes from ``spill_base`` on, and a new episode (a new file) starts only once
the previous one is wholly acknowledged, so the disk holds no more than the
current backlog.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Ring", "RingFull", "FRAME_HEADER", "TAG_PAD", "frame_header", "frame_size", "choose_ring_path",
           "spill_file"]

MAGIC = b"TLRING01"
VERSION = 2
HEADER_SIZE = 4096
OFF_CAPACITY = 16
OFF_PID = 24
OFF_WRITE = 64
OFF_READ = 128
OFF_SPILL_WRITTEN = 192
OFF_SPILL_ACKED = 256
OFF_CLOSED = 320
OFF_SPILL_EPISODE = 384
OFF_SPILL_BASE = 448
OFF_OPEN = 512
OFF_RUN_DIR = 576

FRAME_HEADER = struct.Struct("<IHH")
TAG_PAD = 0xFFFF
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")


class RingFull(Exception):
    """Internal: the frame does not fit now (the caller spills it)."""


def frame_header(payload_len: int, tag: int) -> bytes:
    """A frame's 8-byte header: payload length, frame tag, reserved (``FRAME_HEADER``)."""
    return FRAME_HEADER.pack(payload_len, tag, 0)


def frame_size(payload_len: int) -> int:
    """Bytes a frame with this payload occupies (header + payload + pad)."""
    return (8 + payload_len + 7) & ~7


def spill_file(spill_path: Path, episode: int) -> Path:
    """The file of one spill episode."""
    return spill_path.with_name(f"{spill_path.name}.{episode}")


def choose_ring_path(run_id: str, run_dir: Path, nbytes: int) -> Path:
    """/dev/shm when it has room for the ring (memory, no disk writeback), else the run dir."""
    shm = Path("/dev/shm")
    try:
        st = os.statvfs(shm)
        if st.f_bavail * st.f_frsize > 4 * (nbytes + HEADER_SIZE):
            return shm / f"tidelog-{run_id}-{os.getpid()}.ring"
    except OSError:
        pass
    return run_dir / "transport" / "ring"


class Ring:
    """One side of a ring file. ``Ring.create`` for the producer, ``Ring.attach`` for the consumer."""

    def __init__(self, path: Path, fd: int, mm: mmap.mmap, capacity: int) -> None:
        self.path = path
        self._fd = fd
        self.mm = mm
        self.capacity = capacity
        # Producer's private copy of write_pos (it is the only writer).
        self._wpos = _U64.unpack_from(mm, OFF_WRITE)[0]
        self._pending = self._wpos
        self._open_start = 0   # producer: where the open frame starts (open_frame .. close_open)

    # -- lifecycle -------------------------------------------------------

    @classmethod
    def create(cls, path: Path, capacity: int, run_dir: Path | None = None) -> Ring:
        capacity = max(64 * 1024, capacity & ~7)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            size = HEADER_SIZE + capacity
            # Reserve the pages now: writing to a sparse tmpfs file that has run
            # out of room would kill the trainer with SIGBUS instead of an error.
            os.posix_fallocate(fd, 0, size)
            # Map every page now (a few ms for 32 MiB) rather than one fault
            # per page on the hot path during the first lap.
            mm = mmap.mmap(fd, size, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0))
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        mm[0:8] = MAGIC
        struct.pack_into("<II", mm, 8, VERSION, HEADER_SIZE)
        _U64.pack_into(mm, OFF_CAPACITY, capacity)
        _U32.pack_into(mm, OFF_PID, os.getpid())
        where = str(run_dir or "").encode()
        if len(where) > HEADER_SIZE - OFF_RUN_DIR - 4:
            where = b""  # too long to record: such a ring cannot be recovered if orphaned
        _U32.pack_into(mm, OFF_RUN_DIR, len(where))
        mm[OFF_RUN_DIR + 4 : OFF_RUN_DIR + 4 + len(where)] = where
        return cls(path, fd, mm, capacity)

    @classmethod
    def attach(cls, path: Path) -> Ring:
        fd = os.open(path, os.O_RDWR)
        try:
            mm = mmap.mmap(fd, 0)
        except BaseException:
            os.close(fd)
            raise
        if mm[0:8] != MAGIC or struct.unpack_from("<I", mm, 8)[0] != VERSION:
            mm.close()
            os.close(fd)
            raise ValueError(f"{path} is not a tidelog ring file of version {VERSION}")
        capacity = _U64.unpack_from(mm, OFF_CAPACITY)[0]
        return cls(path, fd, mm, capacity)

    def close(self) -> None:
        try:
            self.mm.close()
        except BufferError:
            # A numpy view still points into the map; the OS unmaps it at exit.
            pass
        os.close(self._fd)

    # -- shared counters -------------------------------------------------

    def _get(self, off: int) -> int:
        return _U64.unpack_from(self.mm, off)[0]

    def _set(self, off: int, value: int) -> None:
        _U64.pack_into(self.mm, off, value)

    @property
    def write_pos(self) -> int:
        return self._get(OFF_WRITE)

    @property
    def read_pos(self) -> int:
        return self._get(OFF_READ)

    @property
    def spill_written(self) -> int:
        return self._get(OFF_SPILL_WRITTEN)

    @property
    def spill_acked(self) -> int:
        return self._get(OFF_SPILL_ACKED)

    @property
    def spill_episode(self) -> tuple[int, int]:
        """(episode, base) of the current spill file."""
        return self._get(OFF_SPILL_EPISODE), self._get(OFF_SPILL_BASE)

    def start_spill_episode(self, episode: int, base: int) -> None:
        """Producer: the next spilled bytes go to episode's file, starting at position ``base``."""
        self._set(OFF_SPILL_BASE, base)
        self._set(OFF_SPILL_EPISODE, episode)

    def set_spill_written(self, value: int) -> None:
        self._set(OFF_SPILL_WRITTEN, value)

    def ack_spill(self, value: int) -> None:
        self._set(OFF_SPILL_ACKED, value)

    @property
    def producer_pid(self) -> int:
        return _U32.unpack_from(self.mm, OFF_PID)[0]

    @property
    def run_dir(self) -> Path | None:
        """The run directory the producer recorded, if any."""
        n = _U32.unpack_from(self.mm, OFF_RUN_DIR)[0]
        raw = self.mm[OFF_RUN_DIR + 4 : OFF_RUN_DIR + 4 + n]
        return Path(raw.decode()) if raw else None

    @property
    def closed(self) -> bool:
        return _U32.unpack_from(self.mm, OFF_CLOSED)[0] == 1

    def mark_closed(self) -> None:
        _U32.pack_into(self.mm, OFF_CLOSED, 1)

    # -- producer --------------------------------------------------------

    def reserve(self, payload_len: int) -> int:
        """Room for a frame: the absolute offset in ``mm`` where its payload goes.

        Writes a PAD frame if it must wrap; the caller writes the frame
        header and payload. The frame is not visible to the consumer until
        ``publish()``. Raises ``RingFull``.
        """
        need = (8 + payload_len + 7) & ~7
        cap = self.capacity
        wpos = self._wpos
        phys = wpos % cap
        tail = cap - phys
        if need > tail:  # wrap: the rest of the area is padding
            if need + tail > cap - (wpos - self._get(OFF_READ)):
                raise RingFull
            if tail >= 8:
                FRAME_HEADER.pack_into(self.mm, HEADER_SIZE + phys, tail - 8, TAG_PAD, 0)
            wpos += tail
            phys = 0
        elif need > cap - (wpos - self._get(OFF_READ)):
            raise RingFull
        self._pending = wpos + need
        return HEADER_SIZE + phys + 8

    def publish(self) -> None:
        self._wpos = self._pending
        _U64.pack_into(self.mm, OFF_WRITE, self._pending)

    def open_frame(self, max_payload: int, tag: int) -> int:
        """Reserve a frame of up to ``max_payload`` bytes that grows in place (see the module
        docstring): its header (length 0) is written; returns the payload's offset in ``mm``.
        Raises ``RingFull``. Nothing else may be reserved until ``close_open``."""
        off = self.reserve(max_payload)
        start = self._pending - frame_size(max_payload)
        FRAME_HEADER.pack_into(self.mm, off - 8, 0, tag, 0)
        self._open_start = start
        self._set(OFF_OPEN, start + 1)
        return off

    def close_open(self, payload_len: int) -> None:
        """Publish the open frame at ``payload_len`` bytes (its header already says so)."""
        self._pending = self._open_start + frame_size(payload_len)
        self.publish()
        self._set(OFF_OPEN, 0)   # after publishing: a consumer never adopts a published frame twice

    @property
    def open_bytes(self) -> int:
        """Payload bytes in a frame left open (0 if none): what ``adopt_open`` would publish."""
        found = self._open_frame()
        return found[1] if found else 0

    def _open_frame(self) -> tuple[int, int] | None:
        """(position, payload length) of a frame left open, if its header is sound."""
        mark = self._get(OFF_OPEN)
        if not mark:
            return None
        start, wpos = mark - 1, self.write_pos
        if not wpos <= start < wpos + self.capacity or start % 8:
            return None   # closed already (published, then killed before the mark was cleared)
        phys = start % self.capacity
        length, tag, _ = FRAME_HEADER.unpack_from(self.mm, HEADER_SIZE + phys)
        size = frame_size(length)
        if tag == TAG_PAD or size > self.capacity - phys or start + size - self.read_pos > self.capacity:
            return None
        return start, length

    def adopt_open(self) -> bool:
        """Consumer, once the producer is gone: publish a frame it left open. True if there was one."""
        found = self._open_frame()
        self._set(OFF_OPEN, 0)
        if found is None:
            return False
        start, length = found
        self._set(OFF_WRITE, start + frame_size(length))
        return True

    # -- consumer --------------------------------------------------------

    def frames(self, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
        """Frames in [start, end) as (tag, payload offset in mm, payload length, next pos)."""
        cap = self.capacity
        mm = self.mm
        pos = start
        while pos < end:
            phys = pos % cap
            tail = cap - phys
            if tail < 8:
                pos += tail
                continue
            length, tag, _ = FRAME_HEADER.unpack_from(mm, HEADER_SIZE + phys)
            if tag == TAG_PAD:
                pos += tail
                continue
            size = (8 + length + 7) & ~7
            if size > tail or pos + size > end:
                raise ValueError(f"ring frame at {pos} is malformed (length {length}, tag {tag})")
            pos += size
            yield tag, HEADER_SIZE + phys + 8, length, pos

    def ack(self, pos: int) -> None:
        """Consumer: everything before ``pos`` is durable; the producer may reuse it."""
        self._set(OFF_READ, pos)
