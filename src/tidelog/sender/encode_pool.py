"""The sender's media encoding: every core while it is behind, results in frame order.

``MediaEncoder.start(frames, wanted)`` parses every media frame of a batch
that ``wanted`` keeps (not those a restarted sender finds already in the WAL)
and hands each rich value to a pool of encoder threads at once;
``finish(record, futures)`` then waits for one frame's values, in placeholder
order, and puts them in its record; ``settle(started)`` waits for whatever is
still running, so no encoder reads a frame's memory once the batch is
acknowledged (a ring frame's bytes are then the trainer's again). The builder calls ``finish``
frame by frame, so the WAL
holds records in frame order whatever order the encoders end in, and every
encoder is a pure function of its input (content-addressed files), so the
bytes written do not depend on which thread encoded what.

Threads, not processes: PNG's zlib, Pillow's encoders, sha256 and file writes
release the GIL, so threads encode in parallel without copying multi-MB
arrays to worker processes; the arrays are views into the frame (the ring,
or the spill file's bytes) that stay valid until the batch is acknowledged.
The pool has one thread per core the sender may run on (``workers``), made
on demand and blocked on a queue when idle: no CPU and little memory while
the sender is idle. The sender is niced, and its threads with it, so the
trainer wins a contended core.

``batch_bytes`` is how much payload a batch may take when frames carry media:
enough for about two images per worker, so a burst keeps every worker busy
(the batch is the unit of parallelism; its records are written, and its
frames acknowledged, once its last value is encoded).
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tidelog.records import pb
from tidelog.transport.frames import PENDING_KEY, TAG_MEDIA, parse_media

__all__ = ["MediaEncoder", "default_workers", "batch_bytes"]

_PER_WORKER_BYTES = 8 << 20    # about two 1024x1024x3 images per worker in a batch
_MAX_BATCH_BYTES = 128 << 20   # and never more than this read at once (spill batches are read into memory)
_PENDING_PREFIX = '{"' + PENDING_KEY


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def batch_bytes(workers: int, floor: int) -> int:
    """Payload bytes per batch for ``workers`` encoders: at least ``floor``."""
    return max(floor, min(workers * _PER_WORKER_BYTES, _MAX_BATCH_BYTES))


def _encode(kind: str, meta: dict, arrays: list, run_dir: Path) -> dict:
    from tidelog.media import encode

    return encode(kind, meta, arrays, run_dir)


class MediaEncoder:
    def __init__(self, run_dir: Path, workers: int | None = None) -> None:
        self.run_dir = run_dir
        self.workers = workers or default_workers()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="tidelog-encode")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def start(self, frames: list, wanted: Callable[[int, object], bool] | None = None) -> dict[int, tuple]:
        """Parse the media frames of ``frames`` that ``wanted(tag, payload)`` keeps and start encoding
        their values: {index: (record, futures)}."""
        started = {}
        for i, (tag, payload) in enumerate(frames):
            if tag != TAG_MEDIA or (wanted is not None and not wanted(tag, payload)):
                continue
            record, items = parse_media(payload)
            futures = [self._pool.submit(_encode, kind, meta, arrays, self.run_dir) for kind, meta, arrays in items]
            started[i] = (record, futures)
        return started

    @staticmethod
    def settle(started: dict[int, tuple]) -> None:
        """Wait until no encoder of ``started`` is running (their results are not needed)."""
        for _, futures in started.values():
            for f in futures:
                if not f.done():
                    f.exception()  # waits; an encoder's error was reported by finish() or is moot

    def finish(self, record: bytes, futures: list[Future], notices: list[str]) -> pb.Record:
        """The frame's record with each placeholder replaced by its encoded value.

        A value whose encoder raised is left out of the record and described
        in ``notices`` (an encoder bug must not stop the run; the rest of the
        row is kept).
        """
        rec = pb.Record.FromString(record)
        items = rec.history.items if rec.HasField("history") else rec.summary.set
        keep = []
        for item in items:
            if item.value.HasField("json") and item.value.json.startswith(_PENDING_PREFIX):
                index = json.loads(item.value.json)[PENDING_KEY]
                try:
                    item.value.json = json.dumps(futures[index].result(), separators=(",", ":"))
                except Exception:  # noqa: BLE001 - reported in the WAL as a notice, the row is kept
                    notices.append(f"key id {item.key}: encoding failed:\n{traceback.format_exc()}")
                    continue
            keep.append(item)
        del items[:]
        items.extend(keep)
        return rec
