"""WAL byte layout: segment headers, chunk headers, record framing, limits.

This module is the executable form of ``docs/wal-format.md``; the two must
agree byte for byte. It knows nothing about files or policies: it turns
values into bytes and bytes back into values, and says whether bytes are
well formed.

A segment is ``SEGMENT_HEADER`` followed by chunks, back to back::

    segment := segment_header chunk*
    chunk   := chunk_header payload          (payload: payload_len bytes)
    raw     := (varint(len(record)) record)*  (payload after decompression)

All integers are little-endian. Checksums are ``zlib.crc32``.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from tidelog.records.wire import TAG_BLOCK_COUNT, TAG_HISTORY, TAG_HISTORY_BLOCK, TAG_SEQ, read_varint, varint

__all__ = [
    "MAGIC",
    "SYNC",
    "FORMAT_VERSION",
    "SEGMENT_HEADER_SIZE",
    "CHUNK_HEADER_SIZE",
    "CODEC_NONE",
    "CODEC_ZSTD",
    "MAX_RECORD_BYTES",
    "MAX_CHUNK_RAW_BYTES",
    "MAX_CHUNK_PAYLOAD_BYTES",
    "MAX_CHUNK_RECORDS",
    "SegmentHeader",
    "ChunkHeader",
    "encode_segment_header",
    "decode_segment_header",
    "encode_chunk_header",
    "decode_chunk_header",
    "frame_records",
    "unframe_records",
    "record_seq_span",
    "segment_name",
    "list_segments",
]

MAGIC = b"\x89TLWAL\r\n"
"""First 8 bytes of every segment (PNG-style: catches text-mode mangling)."""

SYNC = b"\xa7TLCK\x1a\r\n"
"""First 8 bytes of every chunk; a reader resynchronises on it after damage."""

FORMAT_VERSION = 1

CODEC_NONE = 0
CODEC_ZSTD = 1
_KNOWN_CODECS = frozenset({CODEC_NONE, CODEC_ZSTD})

MAX_RECORD_BYTES = 16 << 20
"""Largest serialized Record. Media bytes live in files, so records are small."""

MAX_CHUNK_RAW_BYTES = 64 << 20
"""Largest uncompressed chunk payload a reader accepts (the writer aims at 1 MiB)."""

MAX_CHUNK_PAYLOAD_BYTES = MAX_CHUNK_RAW_BYTES + (1 << 20)
"""Largest stored payload: raw bound plus zstd's worst-case expansion."""

MAX_CHUNK_RECORDS = MAX_CHUNK_RAW_BYTES  # every framed record takes >= 1 byte

# magic, version, flags, segment index, first seq, reserved, header crc
_SEGMENT = struct.Struct("<8sHHIQ4xI")
SEGMENT_HEADER_SIZE = _SEGMENT.size  # 32

# sync, payload_len, raw_len, codec, flags, reserved, record_count,
# first_seq, last_seq, payload_crc, header_crc
_CHUNK = struct.Struct("<8sIIBBHIQQII")
CHUNK_HEADER_SIZE = _CHUNK.size  # 48

_SEGMENT_RE = re.compile(r"^(\d{6,})\.wal$")


@dataclass(frozen=True)
class SegmentHeader:
    """The fixed header at offset 0 of a segment file."""

    version: int
    index: int
    first_seq: int
    flags: int = 0


@dataclass(frozen=True)
class ChunkHeader:
    """A chunk's header. ``first_seq``/``last_seq`` bound the sequence numbers
    the chunk's records consume (a HistoryBlock of N rows consumes N), so seq
    ranges and record counts are known without decompressing."""

    payload_len: int
    raw_len: int
    codec: int
    record_count: int
    first_seq: int
    last_seq: int
    payload_crc: int
    flags: int = 0


def encode_segment_header(header: SegmentHeader) -> bytes:
    body = _SEGMENT.pack(
        MAGIC, header.version, header.flags, header.index, header.first_seq, 0
    )[:-4]
    return body + struct.pack("<I", zlib.crc32(body))


def decode_segment_header(data: bytes | memoryview) -> SegmentHeader | None:
    """The header at the start of ``data``, or None when it is short, has the
    wrong magic or fails its checksum. The version is returned unchecked."""
    if len(data) < SEGMENT_HEADER_SIZE:
        return None
    magic, version, flags, index, first_seq, crc = _SEGMENT.unpack_from(data, 0)
    if magic != MAGIC or zlib.crc32(data[: SEGMENT_HEADER_SIZE - 4]) != crc:
        return None
    return SegmentHeader(version=version, index=index, first_seq=first_seq, flags=flags)


def encode_chunk_header(header: ChunkHeader) -> bytes:
    body = _CHUNK.pack(
        SYNC,
        header.payload_len,
        header.raw_len,
        header.codec,
        header.flags,
        0,
        header.record_count,
        header.first_seq,
        header.last_seq,
        header.payload_crc,
        0,
    )[:-4]
    return body + struct.pack("<I", zlib.crc32(body))


def decode_chunk_header(data: bytes | memoryview, pos: int) -> ChunkHeader | str:
    """The chunk header at ``data[pos:]``, or a short reason why there is none.

    A returned header has a valid checksum and values within the limits, so
    its ``payload_len`` can be trusted to find the next chunk.
    """
    if len(data) - pos < CHUNK_HEADER_SIZE:
        return "truncated chunk header"
    (sync, payload_len, raw_len, codec, flags, _, count, first_seq, last_seq,
     payload_crc, crc) = _CHUNK.unpack_from(data, pos)
    if sync != SYNC:
        return "bad sync marker"
    if zlib.crc32(data[pos : pos + CHUNK_HEADER_SIZE - 4]) != crc:
        return "chunk header checksum mismatch"
    if (
        payload_len > MAX_CHUNK_PAYLOAD_BYTES
        or raw_len > MAX_CHUNK_RAW_BYTES
        or count == 0
        or count > raw_len
        or last_seq < first_seq
    ):
        return "chunk header out of limits"
    if codec not in _KNOWN_CODECS:
        return f"unknown codec {codec}"
    return ChunkHeader(
        payload_len=payload_len,
        raw_len=raw_len,
        codec=codec,
        record_count=count,
        first_seq=first_seq,
        last_seq=last_seq,
        payload_crc=payload_crc,
        flags=flags,
    )


def frame_records(records: list[bytes] | tuple[bytes, ...]) -> bytes:
    """The raw chunk payload: each record preceded by its varint length."""
    parts: list[bytes] = []
    for record in records:
        parts.append(varint(len(record)))
        parts.append(record)
    return b"".join(parts)


def unframe_records(raw: bytes, count: int) -> list[bytes]:
    """Split a raw payload into exactly ``count`` records that fill it exactly.

    Raises ValueError on any inconsistency, so a payload is either wholly
    accepted or wholly rejected.
    """
    out: list[bytes] = []
    pos, end = 0, len(raw)
    while pos < end:
        n = raw[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = read_varint(raw, pos)
            if n < 0:
                raise ValueError("bad record length prefix")
        if n > MAX_RECORD_BYTES or pos + n > end:
            raise ValueError("record length beyond chunk payload")
        out.append(raw[pos : pos + n])
        pos += n
    if len(out) != count:
        raise ValueError(f"chunk holds {len(out)} records, header says {count}")
    return out


def record_history_rows(record: bytes) -> int:
    """History rows a serialized Record holds, without parsing it: a
    HistoryBlock's count, 1 for a HistoryRow, 0 for anything else. Relies on
    canonical field order, as ``record_seq_span`` does."""
    pos = 9 if len(record) > 9 and record[0] == TAG_SEQ else 0
    if pos >= len(record):
        return 0
    tag = record[pos]
    if tag == TAG_HISTORY:
        return 1
    if tag != TAG_HISTORY_BLOCK:
        return 0
    _, pos = read_varint(record, pos + 1)
    if pos < len(record) and record[pos] == TAG_BLOCK_COUNT:
        return read_varint(record, pos + 1)[0]
    return 0


def record_seq_span(record: bytes) -> tuple[int, int]:
    """``(seq, n)`` of a serialized Record without parsing it: the record
    consumes sequence numbers seq .. seq+n-1 (n is a HistoryBlock's count,
    else 1). seq is 0 when the record has none.

    Relies on canonical field order (seq, field 1, serialized first), which
    every protobuf serializer produces.
    """
    if len(record) < 9 or record[0] != TAG_SEQ:
        return 0, 1
    seq = int.from_bytes(record[1:9], "little")
    if len(record) > 11 and record[9] == TAG_HISTORY_BLOCK:
        _, pos = read_varint(record, 10)
        if pos < len(record) and record[pos] == TAG_BLOCK_COUNT:
            count, _ = read_varint(record, pos + 1)
            if count > 1:
                return seq, count
    return seq, 1


def segment_name(index: int) -> str:
    return f"{index:06d}.wal"


def list_segments(wal_dir: Path) -> list[tuple[int, Path]]:
    """``(index, path)`` of every segment file in ``wal_dir``, by index."""
    found = []
    for path in wal_dir.iterdir():
        m = _SEGMENT_RE.match(path.name)
        if m and path.is_file():
            found.append((int(m.group(1)), path))
    found.sort()
    return found
