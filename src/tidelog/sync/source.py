"""What a run directory holds for a sync: its identity, its WAL from a position, its media by hash.

``WalTail(wal_dir)`` reads intact chunks after a remembered position
(segment, byte offset), so tailing a live run reads only what was appended.
``poll(ended)`` yields each intact chunk once, in WAL order. While the run
may still be written (``ended=False``) an incomplete chunk or unreadable
bytes at the end of the last segment are where the writer is: the position
stays there and the next poll reads them again. Once the run has ended, the
reader's rules apply (``wal.reader``): a torn tail is the end of the log,
anything else unreadable is ``Damage`` (as ``tidelog verify`` reports it)
and is skipped. ``reset()`` goes back to the start.

``identity(run_dir)`` -> (project, run_id) from the first ``RunStart``
record (the directory name's id and "uncategorized" when there is none, or
None: a live run's first record may not be written yet).
``MediaIndex(run_dir)`` hashes the run's ``media/`` and ``files/``, each file
once per (size, mtime) (the cache lives in memory and, across syncs, in the
cursor), and answers which hashes are new since the last call.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Generator, Iterator
from pathlib import Path

from tidelog.records import pb
from tidelog.wal.format import SEGMENT_HEADER_SIZE, list_segments, segment_name
from tidelog.wal.reader import Chunk, Damage, TornTail, scan_segment

__all__ = ["MediaIndex", "WalTail", "damage_dict", "identity"]


def damage_dict(d: Damage) -> dict:
    return {"segment": d.segment, "offset": d.offset, "length": d.length, "reason": d.reason}


class WalTail:
    def __init__(self, wal_dir: Path) -> None:
        self.wal_dir = Path(wal_dir)
        self.reset()

    def reset(self) -> None:
        self.segment: int | None = None   # index of the segment being read
        self.offset = 0                   # next unread byte in it
        self.damage: list[Damage] = []
        self.torn_tail: TornTail | None = None
        self.bytes_read = 0

    def size_left(self) -> int:
        """Bytes of the WAL at and after the position (a progress total)."""
        total = 0
        for index, path in list_segments(self.wal_dir):
            if self.segment is None or index >= self.segment:
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                total += size - (self.offset if index == self.segment else 0)
        return total

    def poll(self, ended: bool) -> Iterator[Chunk]:
        segments = list_segments(self.wal_dir)
        for i, (index, path) in enumerate(segments):
            if self.segment is not None and index < self.segment:
                continue
            if self.segment is not None and index > self.segment + 1:
                self.damage.append(Damage(segment_name(self.segment + 1), 0, 0, "missing segment"))
            if self.segment != index:
                self.segment, self.offset = index, 0
            last = i == len(segments) - 1
            if not (yield from self._segment(path, last, ended)):
                return

    def _segment(self, path: Path, last: bool, ended: bool) -> Generator[Chunk, None, bool]:
        """Chunks of one segment from the position; False when reading must stop here."""
        start = self.offset
        with open(path, "rb") as f:
            if start:
                head = f.read(SEGMENT_HEADER_SIZE)
                f.seek(start)
                data = head + f.read()
                shift = start - SEGMENT_HEADER_SIZE
            else:
                data = f.read()
                shift = 0
        self.bytes_read += len(data)
        for event in scan_segment(path, data, final=last):
            if isinstance(event, Chunk):
                yield event
                self.offset = event.end + shift
            elif isinstance(event, TornTail):
                if ended:
                    self.torn_tail = TornTail(event.segment, event.offset + shift, event.length)
                return False
            elif last and not ended:
                return False   # maybe a chunk still being written: read it again next time
            else:
                self.damage.append(Damage(event.segment, event.offset + shift, event.length, event.reason))
                self.offset = event.offset + shift + event.length
        return True


def identity(run_dir: Path, fallback: bool = True) -> tuple[str, str] | None:
    """(project, run_id) as the run's RunStart names them; without one (not
    written yet, or lost to damage) the directory name's id in "uncategorized",
    or None when not ``fallback``."""
    default = ("uncategorized", Path(run_dir).name.rsplit("-", 1)[-1])
    wal = Path(run_dir) / "wal"
    for _index, path in list_segments(wal)[:1]:
        with open(path, "rb") as f:
            data = f.read(4 << 20)
        for event in scan_segment(path, data, final=True):
            if not isinstance(event, Chunk):
                continue
            for raw in event.records():
                rec = pb.Record.FromString(raw)
                if rec.WhichOneof("kind") == "run_start":
                    return (rec.run_start.project or default[0], rec.run_start.run_id or default[1])
    return default if fallback else None


class MediaIndex:
    """The run's media and saved files by sha256, hashed once per (size, mtime)."""

    def __init__(self, run_dir: Path, cache: dict[str, list] | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.cache: dict[str, list] = dict(cache or {})   # relpath -> [size, mtime_ns, sha256]
        self.by_hash: dict[str, Path] = {}

    def scan(self) -> set[str]:
        """Every hash now present; (re)hashes only new or changed files."""
        for sub in ("media", "files"):
            root = self.run_dir / sub
            if not root.is_dir():
                continue
            for dirpath, _dirs, names in os.walk(root):
                for name in names:
                    if name.startswith(".tmp-"):
                        continue
                    path = Path(dirpath, name)
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    rel = str(path.relative_to(self.run_dir))
                    hit = self.cache.get(rel)
                    if hit is None or hit[0] != st.st_size or hit[1] != st.st_mtime_ns:
                        hit = [st.st_size, st.st_mtime_ns, _sha256(path)]
                        self.cache[rel] = hit
                    self.by_hash[hit[2]] = path
        return set(self.by_hash)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
