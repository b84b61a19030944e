"""What travels in a ring frame, by tag.

    TAG_RECORD  payload = one serialized ``tidelog.v1.Record``
    TAG_MEDIA   payload = a Record whose rich values are placeholders, plus the
                raw bytes of the arrays the sender will encode:

        u32 record_len | record | u32 desc_len | desc | pad to 8 | array bytes...
        desc = [{"kind": k, "meta": {...}, "arrays": [[dtype, shape, offset, nbytes], ...]}, ...]
        offsets count from the start of the array bytes (the first 8-aligned
        payload offset after desc) and are 8-aligned. desc is ``marshal``
        data (the sender runs the same interpreter as the trainer, and marshal
        costs a fraction of JSON on the hot path), or b"J" + JSON text when
        the metadata holds values marshal refuses (numpy scalars). A placeholder is
        a ``Value.json`` of ``{"_tidelog_pending": i}``: index i into desc.

    TAG_CONSOLE_LINES
                payload = u64 frame number | entry... : printed text, as the wrap
                capture (transport/console_wrap.py) hands it over, a batch per frame:

        entry = u32 n | u8 stream (ConsoleOutput.Stream) | f64 time | n bytes of UTF-8 text

                The frame grows in place while it is open (``ring`` explains the
                open frame): its length counts whole entries only.

A frame is self-contained: the sender needs nothing else to write its records.
"""

from __future__ import annotations

import json
import marshal
import struct
from collections.abc import Iterator
from typing import Any

__all__ = [
    "TAG_RECORD",
    "TAG_MEDIA",
    "TAG_CONSOLE_LINES",
    "CONSOLE_ENTRY",
    "console_entries",
    "PENDING_KEY",
    "pending_json",
    "MediaPayload",
    "layout_media",
    "parse_media",
]

TAG_RECORD = 1
TAG_MEDIA = 2
TAG_CONSOLE_LINES = 3
CONSOLE_ENTRY = struct.Struct("<IBd")   # an entry's head: text length, stream, time
PENDING_KEY = "_tidelog_pending"
_U32 = struct.Struct("<I")


def pending_json(index: int) -> str:
    return f'{{"{PENDING_KEY}": {index:d}}}'


class MediaPayload:
    """Byte layout of one TAG_MEDIA payload, computed before anything is copied."""

    __slots__ = ("head", "arrays", "size")

    def __init__(self, head: bytes, arrays: list[tuple[int, Any]], size: int) -> None:
        self.head = head            # record_len | record | desc_len | desc | pad
        self.arrays = arrays        # (offset, array) to copy at payload offset
        self.size = size            # total payload bytes


def _as_array(a: Any):
    import numpy as np

    if type(a) is np.ndarray:
        return a
    if isinstance(a, (bytes, bytearray, memoryview)):
        return np.frombuffer(a, dtype=np.uint8)
    return np.asarray(a)


def layout_media(record: bytes, prepared: list) -> MediaPayload:
    """Plan a TAG_MEDIA payload for ``record`` and its ``Prepared`` values (in placeholder order)."""
    desc = []
    planned: list[tuple[int, Any]] = []
    rel = 0  # offset within the array area
    for p in prepared:
        entry = []
        for a in map(_as_array, p.arrays):
            entry.append([a.dtype.str, list(a.shape), rel, int(a.nbytes)])
            planned.append((rel, a))
            rel += (a.nbytes + 7) & ~7
        desc.append({"kind": p.kind, "meta": p.meta, "arrays": entry})
    try:
        desc_bytes = marshal.dumps(desc)
    except ValueError:
        desc_bytes = b"J" + json.dumps(desc, separators=(",", ":"), default=_json_default).encode()
    head = _U32.pack(len(record)) + record + _U32.pack(len(desc_bytes)) + desc_bytes
    base = (len(head) + 7) & ~7
    head += b"\0" * (base - len(head))
    return MediaPayload(head, [(base + o, a) for o, a in planned], base + rel)


def _json_default(o: Any) -> Any:
    # numpy scalars and arrays that slipped into media metadata
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"media metadata value {o!r} ({type(o).__name__}) is not JSON serializable")


def parse_media(buf) -> tuple[bytes, list[tuple[str, dict, list]]]:
    """Inverse of ``layout_media`` over a payload buffer: (record, [(kind, meta, arrays)]).

    Arrays are numpy views into ``buf`` (no copy): use them before the frame
    is acknowledged.
    """
    import numpy as np

    mv = memoryview(buf)
    (rlen,) = _U32.unpack_from(mv, 0)
    record = bytes(mv[4 : 4 + rlen])
    (dlen,) = _U32.unpack_from(mv, 4 + rlen)
    raw = bytes(mv[8 + rlen : 8 + rlen + dlen])
    desc = json.loads(raw[1:]) if raw[:1] == b"J" else marshal.loads(raw)
    base = (8 + rlen + dlen + 7) & ~7
    out = []
    for d in desc:
        arrays = []
        for dtype, shape, off, nbytes in d["arrays"]:
            dt = np.dtype(dtype)
            a = np.frombuffer(mv, dtype=dt, count=nbytes // max(1, dt.itemsize), offset=base + off)
            arrays.append(a.reshape(shape))
        out.append((d["kind"], d["meta"], arrays))
    return record, out


def console_entries(payload) -> Iterator[tuple[int, float, str]]:
    """A ``TAG_CONSOLE_LINES`` payload's entries as ``(stream, time, text)``, after its frame number."""
    mv = memoryview(payload)
    pos, end = 8, len(mv)
    unpack, size = CONSOLE_ENTRY.unpack_from, CONSOLE_ENTRY.size
    while pos + size <= end:
        n, stream, ts = unpack(mv, pos)
        pos += size
        yield stream, ts, str(mv[pos : pos + n], "utf-8", "replace")
        pos += n
