"""Trainer side of the transport: frames into the ring, or into the spill file.

``log()`` never waits for the sender. A frame goes into the shared-memory
ring when it fits; when it does not (the ring is full, or the frame is larger
than the ring), it and every following frame are appended to the spill file
in the run directory until the sender has acknowledged the whole spill (see
``ring`` for the ordering argument). Memory stays bounded by the ring's size;
the disk absorbs a backlog, one spill file per episode, deleted once drained.

If even the spill write fails (a full disk), the frame is dropped and counted,
with a warning: loud, never silent. Everything already handed over stays.
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tidelog._warn import warn
from tidelog.transport.frames import CONSOLE_ENTRY, TAG_CONSOLE_LINES, TAG_MEDIA, TAG_RECORD, MediaPayload
from tidelog.transport.ring import FRAME_HEADER, Ring, RingFull, spill_file

if TYPE_CHECKING:  # numpy is imported on the first media frame, not with the trainer's link
    import numpy as np

__all__ = ["Channel"]

_PAD = b"\0" * 8
CONSOLE_FRAME_BYTES = 64 << 10   # a console frame's most payload: some hundreds of lines
_ENTRY_SIZE = CONSOLE_ENTRY.size
_pack_entry = CONSOLE_ENTRY.pack_into
_pack_len = struct.Struct("<I").pack_into
_U64 = struct.Struct("<Q")


class Channel:
    """The trainer's end of one run's transport: whole frames into the ring, else the spill file.

    Contract: frames reach the sender in the order they are handed over
    (ring and spill together); no call waits for the sender; a frame that
    neither the ring nor the disk takes is dropped, counted in ``dropped`` and
    warned about. One producer: callers serialize (``api.link.Link`` holds its
    lock around every call). ``reserve`` + ``publish`` is the zero-copy hot
    path: pack a frame into ``mm`` at the offset ``reserve`` returns.
    """

    def __init__(self, ring: Ring, spill_path: Path) -> None:
        self.ring = ring
        self.mm = ring.mm
        self.spill_path = spill_path
        self._spill_fd: int | None = None
        self._spill_pos = ring.spill_written
        self.spilling = self._spill_pos != ring.spill_acked
        self.dropped = 0
        self._u8: np.ndarray | None = None  # numpy view of the ring, made on the first media frame
        self._console_at = 0      # payload offset of the open console frame in ``mm`` (0: none open)
        self._console_len = 0     # its payload bytes so far

    # -- the hot path ------------------------------------------------------

    def reserve(self, frame_size: int) -> int | None:
        """Ring offset for a whole frame of ``frame_size`` bytes (header included); None when the
        frame must go to the spill file instead (``spill``): the ring is full, or a spill is draining.
        An open console frame is published first: frames reach the ring in order."""
        if self._console_at:
            self.seal_console()
        if self.spilling and not self._spill_drained():
            return None
        try:
            return self.ring.reserve(frame_size - 8) - 8
        except RingFull:
            return None

    def publish(self) -> None:
        self.ring.publish()

    # -- the open console frame (frames.TAG_CONSOLE_LINES; ring: the open frame) ---

    def open_console(self, frame_no: int) -> bool:
        """Start a console frame numbered ``frame_no`` that grows by ``append_console``; False
        (nothing reserved) when it cannot go into the ring now: full, or a spill is draining."""
        if self.spilling and not self._spill_drained():
            return False
        try:
            off = self.ring.open_frame(CONSOLE_FRAME_BYTES, TAG_CONSOLE_LINES)
        except RingFull:
            return False
        _U64.pack_into(self.mm, off, frame_no)
        FRAME_HEADER.pack_into(self.mm, off - 8, 8, TAG_CONSOLE_LINES, 0)
        self._console_at, self._console_len = off, 8
        return True

    def append_console(self, stream: int, ts: float, data: bytes) -> bool:
        """One entry into the open console frame; False if none is open or it has no room."""
        at, used = self._console_at, self._console_len
        n = len(data)
        if not at or used + _ENTRY_SIZE + n > CONSOLE_FRAME_BYTES:
            return False
        mm = self.mm
        pos = at + used
        _pack_entry(mm, pos, n, stream, ts)
        mm[pos + _ENTRY_SIZE : pos + _ENTRY_SIZE + n] = data
        used += _ENTRY_SIZE + n
        self._console_len = used
        _pack_len(mm, at - 8, used)   # after the entry's bytes: the frame's length counts whole entries
        return True

    def seal_console(self) -> None:
        """Publish the open console frame (if any) as it stands."""
        if self._console_at:
            self.ring.close_open(self._console_len)
            self._console_at = 0

    # -- other frames ------------------------------------------------------

    def send(self, payload: bytes, tag: int = TAG_RECORD) -> None:
        off = self.reserve(8 + len(payload))
        if off is None:
            self.spill([FRAME_HEADER.pack(len(payload), tag, 0), payload, _pad(len(payload))])
            return
        FRAME_HEADER.pack_into(self.mm, off, len(payload), tag, 0)
        self.mm[off + 8 : off + 8 + len(payload)] = payload
        self.ring.publish()

    def send_packed(self, packer: Any, *args: Any) -> None:
        """A frame that a compiled ``packer`` (``transport.fastpath``) packs straight into the ring,
        ``packer.pack_into(mm, offset, *args)``, else ``packer.pack(*args)`` into the spill file.
        (``Link.put_packed`` is the same for history rows, written out for ``log()``'s hot path.)"""
        off = self.reserve(packer.size)
        if off is None:
            frame = packer.pack(*args)
            self.spill([frame, b"\0" * (packer.size - len(frame))])
            return
        packer.pack_into(self.mm, off, *args)
        self.ring.publish()

    def send_media(self, layout: MediaPayload) -> None:
        """Copy a media frame into the transport: this copy is the caller's snapshot."""
        off = self.reserve(8 + layout.size)
        if off is None:
            self._spill_media(layout)
            return
        import numpy as np

        if self._u8 is None:
            self._u8 = np.frombuffer(self.mm, dtype=np.uint8)
        FRAME_HEADER.pack_into(self.mm, off, layout.size, TAG_MEDIA, 0)
        base = off + 8
        head = layout.head
        self.mm[base : base + len(head)] = head
        u8 = self._u8
        assert u8 is not None  # noqa: S101 - narrows the type: made just above
        for rel, arr in layout.arrays:
            start = base + rel
            dst = u8[start : start + arr.nbytes].view(arr.dtype).reshape(arr.shape)
            np.copyto(dst, arr, casting="no")
        self.ring.publish()

    def _spill_media(self, layout: MediaPayload) -> None:
        import numpy as np

        parts: list = [FRAME_HEADER.pack(layout.size, TAG_MEDIA, 0), layout.head]
        pos = len(layout.head)
        for rel, arr in layout.arrays:
            parts.append(b"\0" * (rel - pos))  # alignment gap
            parts.append(memoryview(np.ascontiguousarray(arr)).cast("B"))  # type: ignore[arg-type]  # numpy's stubs omit __buffer__ on ndarray
            pos = rel + arr.nbytes
        parts.append(b"\0" * (layout.size - pos) + _pad(layout.size))
        self.spill(parts)

    # -- spilling ----------------------------------------------------------

    def _spill_drained(self) -> bool:
        """Back to the ring once the sender has the whole spill; its file is deleted then."""
        if self.ring.spill_acked != self._spill_pos:
            return False
        self.spilling = False
        if self._spill_fd is not None:
            os.close(self._spill_fd)
            self._spill_fd = None
            spill_file(self.spill_path, self.ring.spill_episode[0]).unlink(missing_ok=True)
        return True

    def spill(self, parts: list) -> None:
        """Append one whole frame (given as buffers) to the spill file, or drop it loudly."""
        self.seal_console()   # it comes before this frame
        self.spilling = True
        try:
            if self._spill_fd is None:
                self._spill_fd = self._new_episode()
            total = sum(len(memoryview(p).cast("B")) for p in parts)
            written = os.writev(self._spill_fd, parts)
            if written != total:
                raise OSError(errno.ENOSPC, "short write to the spill file")
        except OSError as e:
            self._drop(e)
            return
        self._spill_pos += written
        self.ring.set_spill_written(self._spill_pos)

    def _new_episode(self) -> int:
        episode = self.ring.spill_episode[0] + 1
        path = spill_file(self.spill_path, episode)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
        self.ring.start_spill_episode(episode, self._spill_pos)
        return fd

    def _drop(self, err: OSError) -> None:
        if self._spill_fd is not None:
            # Cut a partly written frame so the spill file stays a sequence of whole frames.
            try:
                os.ftruncate(self._spill_fd, self._spill_pos - self.ring.spill_episode[1])
            except OSError:
                pass  # the next failed write is reported the same way
        self.dropped += 1
        if self.dropped == 1 or self.dropped % 10_000 == 0:
            warn(f"tidelog: the sender is behind and the spill file {self.spill_path} cannot be written "
                 f"({err.strerror or err}); {self.dropped} record(s) dropped so far. "
                 "Free disk space; logging goes on and everything already handed over is kept.")

    def close(self) -> None:
        self._u8 = None
        if self._spill_fd is not None:
            os.close(self._spill_fd)
            self._spill_fd = None


def _pad(n: int) -> bytes:
    return _PAD[: (-(8 + n)) % 8]
