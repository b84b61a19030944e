"""Appending to a WAL: one chunk per batch, segment rotation, fsync policy.

Contract:

* ``append(records)`` writes the batch as one chunk (several if it exceeds
  ``chunk_bytes`` of raw records or ``chunk_rows`` history rows) with
  ``os.pwrite`` on an unbuffered descriptor: when it returns, the batch is in
  the OS page cache and survives a crash of this process; under
  ``FsyncPolicy.batch()`` it is also on stable storage.
* The chunk bounds are the damage radius: a cut or a damaged byte loses at
  most the one chunk it falls in, so at most ``chunk_rows`` history rows (a
  HistoryBlock of N rows counts N, a HistoryRow 1, other records 0) and
  ``chunk_bytes`` of raw records. A single record over either bound is a
  chunk of its own; callers keep history blocks within them
  (``sender.builder``).
* The file always ends at a chunk boundary between calls. A failed write
  (ENOSPC, EFBIG, EIO) is undone by truncating back to the last good end
  before the OSError propagates; if even that fails, it is retried before the
  next append. So a failure never leaves the log unreadable.
* Opening an existing WAL truncates whatever follows the last intact chunk of
  the last segment (a torn tail) and continues after it.
* The writer has no thread: under ``FsyncPolicy.interval(ms)`` it syncs from
  ``append`` and ``maybe_sync`` once the interval has passed.
* Records in one ``append`` must be in sequence order; the chunk header takes
  its seq range from the first and last record.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import zstandard

from tidelog.errors import WalError
from tidelog.settings import DEFAULTS
from tidelog.wal.format import (
    CHUNK_HEADER_SIZE,
    CODEC_NONE,
    CODEC_ZSTD,
    FORMAT_VERSION,
    MAX_CHUNK_RAW_BYTES,
    MAX_RECORD_BYTES,
    SEGMENT_HEADER_SIZE,
    ChunkHeader,
    SegmentHeader,
    decode_segment_header,
    encode_chunk_header,
    encode_segment_header,
    frame_records,
    list_segments,
    record_history_rows,
    record_seq_span,
    segment_name,
)
from tidelog.wal.reader import Chunk, scan_segment

__all__ = [
    "FsyncPolicy",
    "WalWriter",
    "DEFAULT_LEVEL",
    "DEFAULT_SEGMENT_BYTES",
    "DEFAULT_CHUNK_BYTES",
    "DEFAULT_CHUNK_ROWS",
    "fsync_path",
]

DEFAULT_LEVEL = 3
"""zstd level; chosen by measurement, see ``docs/wal-format.md`` "Compression"."""

DEFAULT_SEGMENT_BYTES = 64 << 20
DEFAULT_CHUNK_BYTES = 1 << 20
"""Raw payload size at which a batch is split into several chunks."""
DEFAULT_CHUNK_ROWS = 4096
"""History rows at which a batch is split: with ``DEFAULT_CHUNK_BYTES``, what
one damaged byte can cost at most."""


@dataclass(frozen=True)
class FsyncPolicy:
    """When appended bytes are forced to stable storage.

    ``batch``: at the end of every ``append``. ``interval``: at most
    ``interval_ms`` after an append (needs ``append`` or ``maybe_sync`` to be
    called). ``never``: left to the OS (and to ``close``).
    """

    mode: str
    interval_ms: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("batch", "interval", "never"):
            raise ValueError(f"unknown fsync policy {self.mode!r}")
        if self.mode == "interval" and self.interval_ms <= 0:
            raise ValueError("fsync interval must be a positive number of milliseconds")

    @classmethod
    def batch(cls) -> FsyncPolicy:
        return cls("batch")

    @classmethod
    def interval(cls, ms: int) -> FsyncPolicy:
        return cls("interval", int(ms))

    @classmethod
    def never(cls) -> FsyncPolicy:
        return cls("never")

    @classmethod
    def parse(cls, text: str) -> FsyncPolicy:
        """``"batch"``, ``"interval:200"`` (milliseconds) or ``"never"``."""
        mode, _, arg = text.strip().lower().partition(":")
        if mode == "interval":
            try:
                return cls.interval(int(arg))
            except ValueError:
                raise ValueError(f"bad fsync policy {text!r}: expected interval:<ms>") from None
        if arg:
            raise ValueError(f"bad fsync policy {text!r}")
        return cls(mode)

    def __str__(self) -> str:
        return f"interval:{self.interval_ms}" if self.mode == "interval" else self.mode


def fsync_path(path: Path) -> None:
    """Make ``path`` durable: a file's bytes, or a directory's entries (a file created or renamed in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


class WalWriter:
    """Appends chunks to the WAL in ``wal_dir`` (created if missing)."""

    def __init__(
        self,
        wal_dir: str | os.PathLike[str],
        *,
        fsync: FsyncPolicy | str = DEFAULTS.fsync,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        level: int = DEFAULT_LEVEL,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
    ) -> None:
        self.wal_dir = Path(wal_dir)
        self.policy = FsyncPolicy.parse(fsync) if isinstance(fsync, str) else fsync
        if segment_bytes <= SEGMENT_HEADER_SIZE + CHUNK_HEADER_SIZE:
            raise ValueError(f"segment_bytes too small: {segment_bytes}")
        self.segment_bytes = segment_bytes
        self.chunk_bytes = min(chunk_bytes, MAX_CHUNK_RAW_BYTES)
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
        self.chunk_rows = chunk_rows
        self._zstd = zstandard.ZstdCompressor(level=level)
        self.last_seq = 0
        """Highest sequence number in the log (0 if none): a resumed sender
        continues after it and drops re-sent records at or below it."""
        self.recovered_bytes = 0
        """Bytes of torn tail truncated when the WAL was opened."""
        self._fd: int | None = None
        self._index = 0
        self._end = 0  # offset after the last complete chunk of the open segment
        self._file_dirty = False  # bytes past _end may exist (a failed write)
        self._unsynced = False
        self._last_sync = time.monotonic()
        self._closed = False
        self.wal_dir.mkdir(parents=True, exist_ok=True)
        self._recover()

    # -- opening -----------------------------------------------------------

    def _recover(self) -> None:
        segments = list_segments(self.wal_dir)
        if not segments:
            return
        index, path = segments[-1]
        data = path.read_bytes()
        chunks = [e for e in scan_segment(path, data, final=True) if isinstance(e, Chunk)]
        self.last_seq = self._last_seq(segments, chunks)
        header = decode_segment_header(data)
        if header is None:
            # Chunks behind a damaged header stay for the reader; a header
            # with nothing intact behind it is torn and is overwritten.
            self._index = index if chunks else index - 1
            return
        fd = os.open(path, os.O_RDWR)
        good_end = chunks[-1].end if chunks else SEGMENT_HEADER_SIZE
        if len(data) > good_end:
            os.ftruncate(fd, good_end)
            self.recovered_bytes = len(data) - good_end
            if self.policy.mode != "never":
                os.fsync(fd)
        self._fd, self._index, self._end = fd, index, good_end

    def _last_seq(self, segments: list[tuple[int, Path]], last_chunks: list[Chunk]) -> int:
        if last_chunks:
            return last_chunks[-1].header.last_seq
        for _, path in reversed(segments[:-1]):
            chunks = [e for e in scan_segment(path, path.read_bytes(), final=False)
                      if isinstance(e, Chunk)]
            if chunks:
                return max(c.header.last_seq for c in chunks)
        return 0

    # -- appending ---------------------------------------------------------

    def append(self, records: Sequence[bytes]) -> None:
        """Write ``records`` (serialized ``Record`` messages, in seq order).

        Raises OSError if the disk refuses the write; the log is then left as
        it was before the failed chunk and the call may be retried.
        """
        if self._closed:
            raise WalError("append to a closed WalWriter")
        if not records:
            return
        for record in records:
            if len(record) > MAX_RECORD_BYTES:
                raise ValueError(f"record of {len(record)} bytes exceeds the {MAX_RECORD_BYTES}-byte limit")
        self._repair()
        for group in self._groups(records):
            self._write_chunk(group)
        if self.policy.mode == "batch":
            self.sync()
        elif self.policy.mode == "interval":
            self.maybe_sync()

    def _groups(self, records: Sequence[bytes]) -> list[list[bytes]]:
        """Consecutive runs of records whose framed size stays within
        ``chunk_bytes`` and whose history rows within ``chunk_rows`` (a record
        over either bound forms a group of its own)."""
        groups: list[list[bytes]] = [[]]
        size = rows = 0
        for record in records:
            cost = len(record) + 5
            n = record_history_rows(record)
            if groups[-1] and (size + cost > self.chunk_bytes or rows + n > self.chunk_rows):
                groups.append([])
                size = rows = 0
            groups[-1].append(record)
            size += cost
            rows += n
        return groups

    def _encode_chunk(self, group: list[bytes]) -> bytes:
        raw = frame_records(group)
        payload, codec = self._zstd.compress(raw), CODEC_ZSTD
        if len(payload) >= len(raw):
            payload, codec = raw, CODEC_NONE
        first, _ = record_seq_span(group[0])
        last, n = record_seq_span(group[-1])
        header = ChunkHeader(
            payload_len=len(payload),
            raw_len=len(raw),
            codec=codec,
            record_count=len(group),
            first_seq=first,
            last_seq=max(first, last + n - 1 if last else 0),
            payload_crc=zlib.crc32(payload),
        )
        return encode_chunk_header(header) + payload

    def _write_chunk(self, group: list[bytes]) -> None:
        chunk = self._encode_chunk(group)
        if self._fd is None or (
            self._end > SEGMENT_HEADER_SIZE and self._end + len(chunk) > self.segment_bytes
        ):
            self._rotate(record_seq_span(group[0])[0])
        self._file_dirty = True
        self._unsynced = True
        try:
            _pwrite_all(self._fd, chunk, self._end)  # type: ignore[arg-type]  # _rotate() above opened it
        except OSError:
            self._undo()
            raise
        self._end += len(chunk)
        self._file_dirty = False
        seq, n = record_seq_span(group[-1])
        self.last_seq = max(self.last_seq, seq + n - 1 if seq else 0)

    def _undo(self) -> None:
        """Best effort to cut a failed write off now; the caller sees the
        write's error, and ``_repair`` retries before the next append."""
        with contextlib.suppress(OSError):
            self._repair()

    def _repair(self) -> None:
        if self._file_dirty and self._fd is not None:
            os.ftruncate(self._fd, self._end)
            self._file_dirty = False

    def _rotate(self, first_seq: int) -> None:
        """Finish the open segment (if any) and start the next one."""
        if self._fd is not None:
            if self.policy.mode != "never" and self._unsynced:
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
        index = self._index + 1
        path = self.wal_dir / segment_name(index)
        header = encode_segment_header(
            SegmentHeader(version=FORMAT_VERSION, index=index, first_seq=first_seq)
        )
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _pwrite_all(fd, header, 0)
            if self.policy.mode != "never":
                fsync_path(self.wal_dir)
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):  # a leftover is a torn tail, overwritten on retry
                os.unlink(path)
            raise
        self._fd, self._index, self._end = fd, index, len(header)

    # -- durability --------------------------------------------------------

    def sync(self) -> None:
        """Force everything appended so far to stable storage."""
        if self._fd is not None and self._unsynced:
            os.fsync(self._fd)
        self._unsynced = False
        self._last_sync = time.monotonic()

    def maybe_sync(self, now: float | None = None) -> bool:
        """Under the interval policy, sync if the interval has passed since
        the last sync and there is something to sync. Returns whether it did."""
        if self.policy.mode != "interval" or not self._unsynced:
            return False
        now = time.monotonic() if now is None else now
        if (now - self._last_sync) * 1000.0 < self.policy.interval_ms:
            return False
        self.sync()
        return True

    def close(self) -> None:
        """Sync (unless the policy is ``never``) and close. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._fd is not None:
            try:
                self._repair()
                if self.policy.mode != "never":
                    self.sync()
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> WalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
