"""Integrity report for a WAL: what is intact, what is damaged, what is torn.

The default check reads every byte and verifies both checksums of every
chunk but decompresses nothing: counts and seq ranges come from chunk
headers. ``deep=True`` also decompresses each chunk and parses each record.
A WAL is ``ok`` when nothing is damaged; a torn tail alone is the normal
result of a crash and does not make it not ok.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import zstandard
from google.protobuf.message import DecodeError

from tidelog.records import pb
from tidelog.wal.format import list_segments
from tidelog.wal.reader import Chunk, Damage, TornTail, WalReader

__all__ = ["SegmentReport", "VerifyReport", "verify_wal"]


@dataclass
class SegmentReport:
    name: str
    bytes: int
    chunks: int = 0
    records: int = 0
    first_seq: int = 0
    last_seq: int = 0


@dataclass
class VerifyReport:
    wal_dir: str
    segments: list[SegmentReport] = field(default_factory=list)
    chunks: int = 0
    records: int = 0
    bytes: int = 0
    first_seq: int = 0
    last_seq: int = 0
    duplicate_chunks: int = 0
    seq_gaps: list[tuple[int, int]] = field(default_factory=list)
    damage: list[Damage] = field(default_factory=list)
    torn_tail: TornTail | None = None
    deep: bool = False

    @property
    def ok(self) -> bool:
        return not self.damage

    @property
    def damaged_bytes(self) -> int:
        return sum(d.length for d in self.damage)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ok"] = self.ok
        out["damaged_bytes"] = self.damaged_bytes
        out["seq_gaps"] = [list(g) for g in self.seq_gaps]
        return out


def _deep_check(chunk: Chunk) -> str | None:
    """Why the chunk's payload does not decode into records, or None."""
    try:
        for raw in chunk.records():
            pb.Record.FromString(raw)
    except (ValueError, zstandard.ZstdError, DecodeError) as err:
        return f"undecodable payload: {err}"
    return None


def verify_wal(wal_dir: str | Path, *, deep: bool = False) -> VerifyReport:
    """Check every segment in ``wal_dir``. Raises WalError if there is no such
    directory and WalVersionError for a segment of a newer format."""
    wal_dir = Path(wal_dir)
    reader = WalReader(wal_dir)
    report = VerifyReport(str(wal_dir), deep=deep)
    by_name: dict[str, SegmentReport] = {}
    for _, path in list_segments(wal_dir):
        seg = SegmentReport(path.name, path.stat().st_size)
        by_name[seg.name] = seg
        report.segments.append(seg)
        report.bytes += seg.bytes
    high = 0
    for chunk in reader.chunks():
        h = chunk.header
        if deep and (reason := _deep_check(chunk)) is not None:
            reader.damage.append(Damage(chunk.segment, chunk.offset, chunk.end - chunk.offset, reason))
            continue
        seg = by_name.setdefault(chunk.segment, SegmentReport(chunk.segment, 0))
        seg.chunks += 1
        seg.records += h.record_count
        seg.first_seq = seg.first_seq or h.first_seq
        seg.last_seq = max(seg.last_seq, h.last_seq)
        report.chunks += 1
        report.records += h.record_count
        if h.first_seq:
            if high and h.last_seq <= high:
                report.duplicate_chunks += 1
            elif high and h.first_seq > high + 1:
                report.seq_gaps.append((high + 1, h.first_seq - 1))
            report.first_seq = report.first_seq or h.first_seq
            high = max(high, h.last_seq)
    report.last_seq = high
    report.damage = sorted(reader.damage, key=lambda d: (d.segment, d.offset))
    report.torn_tail = reader.torn_tail
    return report

