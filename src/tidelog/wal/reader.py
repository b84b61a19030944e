"""Reading a WAL: intact chunks in order, damage reported, never raised.

Contract (see ``docs/wal-format.md``, "Recovery"):

* Segments are read in index order, chunks in file order.
* A torn tail of the last segment (an incomplete final chunk, or zeros up to
  the end) is the end of the log, silently: it is what a writer that died
  mid-write leaves.
* Anything else that is not an intact chunk (bad checksum, bad header,
  undecompressable payload, zero-filled hole, missing segment) is recorded
  as a ``Damage`` entry and skipped; reading resumes at the next intact
  chunk, found by its sync marker and validated by its checksums.
* A record is yielded only if it lies in a chunk whose header and payload
  checksums match and whose payload decodes exactly, so no record is ever
  yielded that was not written.
* A segment whose (intact) header names a newer format version is refused
  with ``WalVersionError``; that is the only exception raised for file
  contents.
* With ``dedup`` (the default) a record whose sequence numbers were already
  yielded is dropped: a respawned sender may write records twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import zstandard
from google.protobuf.message import DecodeError

from tidelog.errors import WalError, WalVersionError
from tidelog.records import pb
from tidelog.wal.format import (
    CHUNK_HEADER_SIZE,
    CODEC_ZSTD,
    FORMAT_VERSION,
    MAGIC,
    SEGMENT_HEADER_SIZE,
    SYNC,
    ChunkHeader,
    decode_chunk_header,
    decode_segment_header,
    list_segments,
    record_seq_span,
    segment_name,
    unframe_records,
)

__all__ = [
    "Chunk",
    "Damage",
    "TornTail",
    "ReadStats",
    "WalReader",
    "ZERO_TAIL_MIN",
    "scan_segment",
    "check_segment_version",
]

_ZERO_RUN = 8  # zeros at a chunk boundary shorter than this are just a bad sync
ZERO_TAIL_MIN = 512
"""A run of zeros this long ending the last segment is taken for a crash's
zero-fill even when it starts inside a chunk (a sector's worth: an intact
payload never ends in that many zeros, zstd would have compressed them)."""


@dataclass(frozen=True)
class Damage:
    """Bytes ``[offset, offset + length)`` of ``segment`` held no intact chunk."""

    segment: str
    offset: int
    length: int
    reason: str


@dataclass(frozen=True)
class TornTail:
    """The incomplete end of the last segment, ignored as end-of-log."""

    segment: str
    offset: int
    length: int


@dataclass(frozen=True)
class Chunk:
    """An intact chunk: both checksums match. Its payload is not yet decoded."""

    segment: str
    offset: int
    header: ChunkHeader
    payload: memoryview

    @property
    def end(self) -> int:
        return self.offset + CHUNK_HEADER_SIZE + self.header.payload_len

    def records(self) -> list[bytes]:
        """The serialized records. Raises ValueError (or zstd's error) when
        the payload does not decode exactly as the header describes."""
        h = self.header
        if h.codec == CODEC_ZSTD:
            raw = zstandard.ZstdDecompressor().decompress(
                self.payload, max_output_size=h.raw_len
            )
        else:
            raw = bytes(self.payload)
        if len(raw) != h.raw_len:
            raise ValueError(f"payload is {len(raw)} bytes, header says {h.raw_len}")
        return unframe_records(raw, h.record_count)


Event = Chunk | Damage | TornTail


def check_segment_version(path: Path, data: bytes | memoryview) -> None:
    """Raise WalVersionError if ``data`` starts with an intact header of a
    format version newer than this reader's."""
    header = decode_segment_header(data)
    if header is not None and header.version > FORMAT_VERSION:
        raise WalVersionError(
            f"{path}: WAL format version {header.version} is newer than this "
            f"tidelog reads (version {FORMAT_VERSION}); upgrade tidelog to read it"
        )


def _zero_run_end(data: bytes, pos: int) -> int:
    """End of the run of zero bytes starting at ``pos``."""
    step = 4096
    while pos < len(data):
        window = data[pos : pos + step]
        rest = window.lstrip(b"\0")
        if rest:
            return pos + len(window) - len(rest)
        pos += len(window)
        step = min(step * 2, 1 << 20)
    return len(data)


class _Scan:
    """Walks one segment's bytes, emitting chunks, damage and a torn tail."""

    def __init__(self, name: str, data: bytes, final: bool) -> None:
        self.name = name
        self.data = data
        self.view = memoryview(data)
        self.final = final
        self.bad_start: int | None = None
        self.reasons: list[str] = []
        self._zero_tail: int | None = None

    def _fail(self, pos: int, reason: str) -> None:
        if self.bad_start is None:
            self.bad_start = pos
        if reason not in self.reasons:
            self.reasons.append(reason)

    def _flush(self, upto: int) -> Iterator[Event]:
        if self.bad_start is not None and upto > self.bad_start:
            yield Damage(self.name, self.bad_start, upto - self.bad_start, ", ".join(self.reasons))
        self.bad_start, self.reasons = None, []

    def _zeros_from(self) -> int:
        """Offset where the run of zero bytes that ends the segment starts."""
        if self._zero_tail is None:
            self._zero_tail = len(self.data.rstrip(b"\0"))
        return self._zero_tail

    def _torn_at(self, pos: int, header: ChunkHeader | str) -> bool:
        """Whether ``[pos, end)`` is what an interrupted write leaves: a
        prefix of a chunk, possibly followed by zeros up to the end (a
        filesystem that extended the file but lost the data)."""
        if not self.final or self.bad_start is not None:
            return False
        end, zeros = len(self.data), self._zeros_from()
        if zeros <= pos:
            return True
        if zeros - pos < CHUNK_HEADER_SIZE:
            return SYNC.startswith(bytes(self.data[pos : min(zeros, pos + len(SYNC))]))
        if not isinstance(header, ChunkHeader):
            return False
        stop = pos + CHUNK_HEADER_SIZE + header.payload_len
        return stop > end or (zeros < stop and end - zeros >= ZERO_TAIL_MIN)

    def run(self, start: int) -> Iterator[Event]:
        data, end, pos = self.data, len(self.data), start
        while pos < end:
            header = decode_chunk_header(data, pos)
            if isinstance(header, ChunkHeader):
                stop = pos + CHUNK_HEADER_SIZE + header.payload_len
                payload = self.view[pos + CHUNK_HEADER_SIZE : stop]
                if stop <= end and zlib.crc32(payload) == header.payload_crc:
                    yield from self._flush(pos)
                    yield Chunk(self.name, pos, header, payload)
                    pos = stop
                    continue
            if self._torn_at(pos, header):
                yield from self._flush(pos)
                yield TornTail(self.name, pos, end - pos)
                return
            if isinstance(header, ChunkHeader):
                self._fail(pos, "payload checksum mismatch" if stop <= end else "truncated chunk")
                pos = min(stop, end)
                continue
            zero_end = _zero_run_end(data, pos) if data[pos] == 0 else pos
            if zero_end - pos >= _ZERO_RUN:
                self._fail(pos, "zero-filled")
                pos = zero_end
                continue
            self._fail(pos, header)
            nxt = data.find(SYNC, pos + 1)
            pos = end if nxt < 0 else nxt
        yield from self._flush(end)


def scan_segment(path: Path, data: bytes, *, final: bool) -> Iterator[Event]:
    """Every intact chunk of one segment, with ``Damage`` for what lies
    between them and a ``TornTail`` (``final`` segments only) for an
    incomplete end. Raises WalVersionError for a newer format version."""
    name = path.name
    check_segment_version(path, data)
    scan = _Scan(name, data, final)
    if decode_segment_header(data) is not None:
        return scan.run(SEGMENT_HEADER_SIZE)
    torn = len(data) < SEGMENT_HEADER_SIZE and MAGIC.startswith(data[: len(MAGIC)])
    if final and (torn or not data.strip(b"\0")):
        return iter([TornTail(name, 0, len(data))] if data else [])
    if len(data) < SEGMENT_HEADER_SIZE:
        return iter([Damage(name, 0, len(data), "truncated segment header")])
    scan.bad_start, scan.reasons = 0, ["bad segment header"]
    nxt = data.find(SYNC, 1)
    return scan.run(len(data) if nxt < 0 else nxt)


@dataclass
class ReadStats:
    """What one pass over the WAL saw."""

    segments: int = 0
    chunks: int = 0
    records: int = 0
    duplicates: int = 0
    first_seq: int = 0
    last_seq: int = 0


@dataclass
class WalReader:
    """Reads the WAL in ``wal_dir``. Re-iterable: each iteration re-reads the
    files and refills ``damage``, ``torn_tail`` and ``stats``.

    Raises WalError if ``wal_dir`` does not exist and WalVersionError for a
    segment of a newer format; never anything for damaged contents.
    """

    wal_dir: Path
    dedup: bool = True
    damage: list[Damage] = field(default_factory=list, init=False)
    torn_tail: TornTail | None = field(default=None, init=False)
    stats: ReadStats = field(default_factory=ReadStats, init=False)

    def __post_init__(self) -> None:
        self.wal_dir = Path(self.wal_dir)
        if not self.wal_dir.is_dir():
            raise WalError(f"no WAL directory at {self.wal_dir}")
        for _, path in list_segments(self.wal_dir):
            with open(path, "rb") as f:
                check_segment_version(path, f.read(SEGMENT_HEADER_SIZE))

    def chunks(self) -> Iterator[Chunk]:
        """Every intact chunk (checksums verified, payload not decoded)."""
        self.damage, self.torn_tail, self.stats = [], None, ReadStats()
        segments = list_segments(self.wal_dir)
        for i, (index, path) in enumerate(segments):
            if i and index != segments[i - 1][0] + 1:
                missing = segment_name(segments[i - 1][0] + 1)
                self.damage.append(Damage(missing, 0, 0, "missing segment"))
            self.stats.segments += 1
            data = path.read_bytes()
            final = i == len(segments) - 1
            for event in scan_segment(path, data, final=final):
                if isinstance(event, Chunk):
                    self.stats.chunks += 1
                    yield event
                elif isinstance(event, Damage):
                    self.damage.append(event)
                else:
                    self.torn_tail = event

    def payloads(self) -> Iterator[bytes]:
        """Serialized records of intact chunks, in order, duplicates dropped."""
        high = 0
        stats = None
        for chunk in self.chunks():
            stats = self.stats
            h = chunk.header
            if self.dedup and h.first_seq and h.last_seq <= high:
                stats.duplicates += h.record_count
                continue
            try:
                records = chunk.records()
            except (ValueError, zstandard.ZstdError) as err:
                self.damage.append(
                    Damage(chunk.segment, chunk.offset, chunk.end - chunk.offset,
                           f"undecodable payload: {err}")
                )
                continue
            for record in records:
                seq, n = record_seq_span(record)
                if seq:
                    if self.dedup and seq + n - 1 <= high:
                        stats.duplicates += 1
                        continue
                    high = max(high, seq + n - 1)
                    stats.first_seq = stats.first_seq or seq
                    stats.last_seq = high
                stats.records += 1
                yield record

    def records(self) -> Iterator[pb.Record]:
        """Decoded records. A record that passed the checksums but does not
        parse is recorded as damage and skipped."""
        for raw in self.payloads():
            record = pb.Record()
            try:
                record.ParseFromString(raw)
            except DecodeError as err:
                self.damage.append(Damage("", 0, len(raw), f"unparsable record: {err}"))
                continue
            yield record

    def __iter__(self) -> Iterator[pb.Record]:
        return self.records()
