"""The framing of W&B's ``.wandb`` transaction log: LevelDB's log format with a file header.

    file   := header(7) block*
    header := ":W&B" magic:u16le(0xBEE1) version:u8(0)
    block  := 32,768 bytes (the first one includes the file header) of records;
              a tail shorter than a record header (7 bytes) is zero padding
    record := crc32:u32le length:u16le type:u8 data[length]
              type FULL=1 | FIRST=2 | MIDDLE=3 | LAST=4 (fragments of one payload)
              crc32 = zlib.crc32(type byte + data)

``read_payloads(path)`` yields each complete payload (a serialized W&B
``Record``) and fills a ``LogReport``. Reading follows LevelDB's rules: a torn
tail (the writer died mid-record: a header or data that runs past the end of
the file, or zeros where the next record should start) ends the log quietly
and is counted in ``tail_bytes``; a checksum mismatch or a broken fragment
sequence in the middle is damage: the rest of that block is skipped, the
bytes are counted in ``dropped_bytes`` with the offset in ``damage``, and
reading goes on with the next block.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["read_payloads", "LogReport", "NotAWandbLog", "BLOCK", "HEADER"]

BLOCK = 32768
HEADER = 7
FILE_HEADER = b":W&B" + struct.pack("<H", 0xBEE1)
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
_REC = struct.Struct("<IHB")


class NotAWandbLog(ValueError):
    """The file does not start with the ``.wandb`` header."""


@dataclass
class LogReport:
    size: int = 0
    payloads: int = 0
    tail_bytes: int = 0                 # a torn tail, dropped (normal after a crash)
    dropped_bytes: int = 0              # damage in the middle, dropped
    damage: list[tuple[int, int, str]] = field(default_factory=list)  # (offset, bytes, why)
    version: int = 0


def read_payloads(path: str | Path, report: LogReport | None = None) -> Iterator[bytes]:
    data = Path(path).read_bytes()
    report = report if report is not None else LogReport()
    report.size = len(data)
    if len(data) < HEADER or data[:6] != FILE_HEADER:
        raise NotAWandbLog(f"{path}: not a W&B transaction log (no ':W&B' header)")
    report.version = data[6]
    pos, pending, pending_at = HEADER, bytearray(), -1
    while pos < len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:  # block trailer: zero padding
            pos += left
            continue
        if pos + HEADER > len(data):
            report.tail_bytes += len(data) - pos
            break
        crc, length, kind = _REC.unpack_from(data, pos)
        if crc == 0 and length == 0 and kind == 0:
            if not any(data[pos:]):  # zeros to the end: a preallocated or torn tail
                report.tail_bytes += len(data) - pos
                break
            pos = _skip_block(report, pos, "zeros where a record should start")
            pending.clear()
            continue
        end = pos + HEADER + length
        if end > len(data):
            report.tail_bytes += len(data) - pos
            break
        body = data[pos + HEADER:end]
        if length > left - HEADER or kind not in (FULL, FIRST, MIDDLE, LAST) \
                or zlib.crc32(bytes((kind,)) + body) & 0xFFFFFFFF != crc:
            if _only_torn_after(data, pos):
                report.tail_bytes += len(data) - pos
                break
            pos = _skip_block(report, pos, "checksum mismatch" if length <= left - HEADER else "bad record length")
            pending.clear()
            continue
        if kind == FULL:
            if pending:
                _note(report, pending_at, len(pending), "a record's first fragments without its last")
                pending.clear()
            report.payloads += 1
            yield bytes(body)
        elif kind == FIRST:
            if pending:
                _note(report, pending_at, len(pending), "a record's first fragments without its last")
            pending[:] = body
            pending_at = pos
        elif not pending:
            _note(report, pos, HEADER + length, "a record fragment without its first part")
        elif kind == MIDDLE:
            pending += body
        else:
            pending += body
            report.payloads += 1
            yield bytes(pending)
            pending.clear()
        pos = end
    if pending:
        report.tail_bytes += len(pending)  # the writer died between fragments of a record


def _note(report: LogReport, offset: int, n: int, why: str) -> None:
    report.dropped_bytes += n
    report.damage.append((offset, n, why))


def _skip_block(report: LogReport, pos: int, why: str) -> int:
    nxt = (pos // BLOCK + 1) * BLOCK
    _note(report, pos, nxt - pos, why)
    return nxt


def _only_torn_after(data: bytes, pos: int) -> bool:
    """Is there no intact record in any later block? Then the bad bytes are a torn tail."""
    nxt = (pos // BLOCK + 1) * BLOCK
    while nxt + HEADER <= len(data):
        crc, length, kind = _REC.unpack_from(data, nxt)
        body = data[nxt + HEADER:nxt + HEADER + length]
        if kind in (FULL, FIRST, MIDDLE, LAST) and len(body) == length \
                and zlib.crc32(bytes((kind,)) + body) & 0xFFFFFFFF == crc:
            return False
        nxt += BLOCK
    return True
