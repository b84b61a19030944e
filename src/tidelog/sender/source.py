"""Sender side of the transport: frames in production order, acknowledged after the WAL has them.

The ring is read first; the spill file only when the ring is empty (see
``transport.ring`` for why that keeps production order). A batch holds
up to ``max_bytes`` of payload, or up to ``media_bytes`` when frames carry
media (enough work for every encoder thread; see ``sender.encode_pool``).
Nothing is acknowledged until ``ack(batch)``, which the sender calls only after the
batch's records are in the WAL: a sender that dies before that leaves the
frames for its successor.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tidelog.transport.frames import TAG_MEDIA
from tidelog.transport.ring import FRAME_HEADER, Ring, frame_size, spill_file

__all__ = ["Batch", "FrameSource"]


@dataclass
class Batch:
    frames: list[tuple[int, memoryview | bytes]] = field(default_factory=list)
    ring_end: int | None = None
    spill_end: int | None = None

    def __bool__(self) -> bool:
        return bool(self.frames) or self.ring_end is not None or self.spill_end is not None


class FrameSource:
    def __init__(self, ring: Ring, spill_path: Path) -> None:
        self.ring = ring
        self.spill_path = spill_path
        self._view = memoryview(ring.mm)
        self._pos = ring.read_pos
        self._spill_pos = ring.spill_acked

    def pending(self) -> bool:
        """Is anything produced and not yet acknowledged?"""
        return self.ring.write_pos != self._pos or self.ring.spill_written != self._spill_pos

    def backlog(self) -> int:
        """Bytes produced and not yet taken (ring and spill)."""
        return (self.ring.write_pos - self._pos) + (self.ring.spill_written - self._spill_pos)

    def poll(self, max_bytes: int, media_bytes: int = 0) -> Batch:
        end = self.ring.write_pos
        full = _Limit(max_bytes, media_bytes)
        if end != self._pos:
            return self._from_ring(end, full)
        if self.ring.spill_written != self._spill_pos:
            return self._from_spill(full)
        return Batch()

    def _from_ring(self, end: int, full: _Limit) -> Batch:
        batch = Batch(ring_end=self._pos)
        view = self._view
        for tag, off, length, nxt in self.ring.frames(self._pos, end):
            batch.frames.append((tag, view[off : off + length]))
            batch.ring_end = nxt
            if full(tag, length):
                break
        return batch

    def _from_spill(self, full: _Limit) -> Batch:
        end = self.ring.spill_written
        pos = self._spill_pos
        batch = Batch(spill_end=pos)
        episode, base = self.ring.spill_episode
        path = spill_file(self.spill_path, episode)
        fd = os.open(path, os.O_RDONLY)
        try:
            while pos < end:
                length, tag, _ = FRAME_HEADER.unpack(os.pread(fd, 8, pos - base))
                payload = os.pread(fd, length, pos - base + 8)
                if len(payload) != length:
                    raise ValueError(f"spill file {path} ends inside a frame at {pos - base}")
                batch.frames.append((tag, payload))
                pos += frame_size(length)
                if full(tag, length):
                    break
        finally:
            os.close(fd)
        batch.spill_end = pos
        return batch

    def ack(self, batch: Batch) -> None:
        if batch.ring_end is not None:
            self.ring.ack(batch.ring_end)
            self._pos = batch.ring_end
        if batch.spill_end is not None:
            self.ring.ack_spill(batch.spill_end)
            self._spill_pos = batch.spill_end

    def close(self) -> None:
        self._view.release()


class _Limit:
    """Is a batch full? ``max_bytes`` of payload, or ``media_bytes`` (the larger) once media is in it."""

    __slots__ = ("max_bytes", "media_bytes", "taken", "media")

    def __init__(self, max_bytes: int, media_bytes: int) -> None:
        self.max_bytes, self.media_bytes = max_bytes, max(max_bytes, media_bytes)
        self.taken = self.media = 0

    def __call__(self, tag: int, length: int) -> bool:
        self.taken += length
        if tag == TAG_MEDIA:
            self.media += length
        return self.taken - self.media >= self.max_bytes or self.taken >= self.media_bytes
