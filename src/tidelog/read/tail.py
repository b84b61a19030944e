"""What the end of a WAL says, without reading all of it: the last transport mark.

A restarted sender skips trainer frames numbered at or below the last
``TransportMark``; a resumed run's trainer numbers its frames above it.
Marks close every batch, so the last segment that has any chunk has one.
"""

from __future__ import annotations

from pathlib import Path

from tidelog.records import pb
from tidelog.records.wire import TAG_MARK, TRAILER_SIZE
from tidelog.wal.format import list_segments
from tidelog.wal.reader import Chunk, scan_segment

__all__ = ["last_transport_mark"]

def last_transport_mark(wal_dir: Path) -> int:
    if not Path(wal_dir).is_dir():
        return 0
    for _, path in reversed(list_segments(Path(wal_dir))):
        mark = 0
        for event in scan_segment(path, path.read_bytes(), final=True):
            if not isinstance(event, Chunk):
                continue
            for raw in event.records():
                if raw[TRAILER_SIZE : TRAILER_SIZE + len(TAG_MARK)] == TAG_MARK:  # after the seq field
                    mark = pb.Record.FromString(raw).mark.frame
        if mark:
            return mark
    return 0
