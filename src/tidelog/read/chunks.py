"""WAL chunks as a byte stream: what ``tidelog sync`` sends and the server reads.

A *chunk stream* is whole WAL chunks (48-byte header + payload, exactly as in a
segment file, ``docs/wal-format.md``) back to back, with no segment header.
``chunk_bytes(chunk)`` gives one chunk's bytes from a ``WalReader`` chunk;
``parse_chunk_stream(data)`` checks and splits a stream back into records.

The stream is strict, unlike a segment read: it comes whole over a network
from a reader that already dropped damage, so anything that is not an intact
chunk (bad sync marker, checksum, length, undecodable payload) raises
``ChunkStreamError`` naming the chunk and offset, and nothing is returned.
The decoding is the WAL reader's own (``wal.format``, ``wal.reader.Chunk``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import zstandard

from tidelog.wal.format import CHUNK_HEADER_SIZE, ChunkHeader, decode_chunk_header, encode_chunk_header, record_seq_span
from tidelog.wal.reader import Chunk

__all__ = ["ChunkStreamError", "StreamRecord", "chunk_bytes", "parse_chunk_stream"]


class ChunkStreamError(ValueError):
    """A chunk stream holds something other than intact chunks."""


@dataclass(frozen=True)
class StreamRecord:
    """One serialized record and the seq range it consumes (``seq`` 0: none)."""

    seq: int
    count: int
    data: bytes

    @property
    def last_seq(self) -> int:
        return self.seq + self.count - 1 if self.seq else 0


def chunk_bytes(chunk: Chunk) -> bytes:
    """The bytes of ``chunk`` as they stand in its segment file."""
    return encode_chunk_header(chunk.header) + bytes(chunk.payload)


def parse_chunk_stream(data: bytes) -> list[StreamRecord]:
    """Every record of every chunk in ``data``, in order. Raises ChunkStreamError."""
    out: list[StreamRecord] = []
    view = memoryview(data)
    pos, n = 0, 0
    while pos < len(data):
        n += 1
        if len(data) - pos < CHUNK_HEADER_SIZE:
            raise ChunkStreamError(f"chunk {n} at byte {pos}: {len(data) - pos} bytes, shorter than a chunk header")
        header = decode_chunk_header(data, pos)
        if not isinstance(header, ChunkHeader):
            raise ChunkStreamError(f"chunk {n} at byte {pos}: {header}")
        stop = pos + CHUNK_HEADER_SIZE + header.payload_len
        if stop > len(data):
            raise ChunkStreamError(f"chunk {n} at byte {pos}: payload runs past the end of the body")
        chunk = Chunk("stream", pos, header, view[pos + CHUNK_HEADER_SIZE:stop])
        if zlib.crc32(chunk.payload) != header.payload_crc:
            raise ChunkStreamError(f"chunk {n} at byte {pos}: payload checksum mismatch")
        try:
            records = chunk.records()
        except (ValueError, zstandard.ZstdError) as err:
            raise ChunkStreamError(f"chunk {n} at byte {pos}: undecodable payload: {err}") from None
        for raw in records:
            seq, count = record_seq_span(raw)
            out.append(StreamRecord(seq, count, raw))
        pos = stop
    return out
