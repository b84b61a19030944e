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
the file, zeros to the end, or bad records with no intact record in any later
block) ends the log quietly; ``tail_bytes`` counts every byte after the last
complete record. A checksum mismatch or a broken fragment sequence with intact
records after it is damage: the rest of that block is skipped, the bytes are
counted in ``dropped_bytes`` with the offset in ``damage``, and reading goes
on with the next block. Every byte of the file is either in a yielded
payload (with its headers and block padding), in ``dropped_bytes`` or in
``tail_bytes``.
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
    accounted = HEADER  # bytes before this offset were yielded or reported as damage
    while pos < len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:  # block trailer: zero padding
            pos += left
            continue
        if pos + HEADER > len(data):
            break
        crc, length, kind = _REC.unpack_from(data, pos)
        end = pos + HEADER + length
        if crc == 0 and length == 0 and kind == 0 and not any(data[pos:]):
            break  # zeros to the end: a preallocated or torn tail
        if end > len(data):
            break
        body = data[pos + HEADER:end]
        if length > left - HEADER or kind not in (FULL, FIRST, MIDDLE, LAST) \
                or zlib.crc32(bytes((kind,)) + body) & 0xFFFFFFFF != crc:
            if _only_torn_after(data, pos):
                break
            nxt = (pos // BLOCK + 1) * BLOCK
            _note(report, accounted if pending else pos, nxt - (accounted if pending else pos),
                  "bad record length" if length > left - HEADER else "checksum mismatch")
            pending.clear()
            pos = accounted = nxt
            continue
        if kind in (FULL, FIRST) and pending:
            _note(report, pending_at, pos - pending_at, "a record's first fragments without its last")
            pending.clear()
        if kind == FULL:
            report.payloads += 1
            yield bytes(body)
            accounted = end
        elif kind == FIRST:
            pending[:] = body
            pending_at = pos
        elif not pending:
            _note(report, pos, end - pos, "a record fragment without its first part")
            accounted = end
        elif kind == MIDDLE:
            pending += body
        else:
            pending += body
            report.payloads += 1
            yield bytes(pending)
            pending.clear()
            accounted = end
        pos = end
    report.tail_bytes = len(data) - accounted


def _note(report: LogReport, offset: int, n: int, why: str) -> None:
    report.dropped_bytes += n
    report.damage.append((offset, n, why))


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
