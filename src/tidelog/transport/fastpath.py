"""Training-side encoding of records, built for ``log()``'s hot path.

A ``log()`` of plain numbers is encoded without the protobuf library: for each
*layout* (the dict's keys and value types, in order) a ``struct.Struct`` is
compiled once that writes the whole ring frame — frame header, the
``Record{history: HistoryRow}`` wire bytes, and the trainer's frame number —
in one ``pack_into`` call. ``tests/test_fastpath.py`` pins that these bytes
parse, with the protobuf library, to the same message the library would build.

Wire contract with the sender (every trainer frame, fast path or not):

* the payload is a serialized ``tidelog.v1.Record``;
* its last 9 bytes are the trailer (``records.wire.trailer``): the ``seq``
  tag + the trainer's frame number as fixed64, i.e. the ``seq`` field
  written last. The sender reads the frame number there
  (for de-duplication after a restart) and overwrites it with the WAL
  sequence number. Protobuf keeps the last occurrence of a singular field,
  so the payload stays a valid Record either way.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from tidelog.records import pb
from tidelog.records.wire import (
    TAG_CONSOLE,
    TAG_HISTORY,
    TAG_ITEM_KEY,
    TAG_ITEM_VALUE,
    TAG_ROW_FLOAT_KEYS,
    TAG_ROW_FLOAT_VALUES,
    TAG_ROW_INT_KEYS,
    TAG_ROW_INT_VALUES,
    TAG_ROW_ITEMS,
    TAG_ROW_STEP,
    TAG_ROW_TIMESTAMP,
    TAG_SEQ,
    TAG_VALUE_BOOL,
    TAG_VALUE_JSON,
    TAG_VALUE_STR,
    TRAILER_SIZE,
    field_tag,
    trailer,
    varint,
)
from tidelog.transport.frames import TAG_RECORD
from tidelog.transport.ring import frame_header

__all__ = ["RowPacker", "ConsolePacker", "console_packer", "console_utf8", "encode_record", "encode_history"]


def encode_record(record: pb.Record, frame_no: int) -> bytes:
    """Serialize a library-built Record with the trainer frame number trailer."""
    return record.SerializeToString() + trailer(frame_no)


_CONSOLE_STREAM = field_tag(pb.ConsoleOutput, "stream")
_CONSOLE_TS_TAG = field_tag(pb.ConsoleOutput, "timestamp")
_CONSOLE_TEXT = field_tag(pb.ConsoleOutput, "text")


class ConsolePacker:
    """Packs a ``Record(console=ConsoleOutput(stream, timestamp, text))`` in one compiled ``struct``
    call; one per (stream, UTF-8 length), from ``console_packer``:

    * ``pack_into``/``pack``: a ring frame, header and trainer trailer included (a console chunk
      that no console frame can take goes as a record frame of its own: api/link.py);
    * ``record``: the record as the WAL stores it, ``seq`` first (``records.wire.stamp``'s layout):
      the sender's stored console lines.

    ``stream`` 0 (stdout, the proto3 default) is left out, as the library does.
    """

    __slots__ = ("size", "pack_into", "record", "_struct")

    def __init__(self, stream: int, nbytes: int) -> None:
        text_head = bytes((_CONSOLE_TEXT,)) + varint(nbytes)
        stream_field = bytes((_CONSOLE_STREAM, stream)) if stream else b""
        body_len = len(stream_field) + 9 + len(text_head) + nbytes
        head = bytes((TAG_CONSOLE,)) + varint(body_len) + stream_field + bytes((_CONSOLE_TS_TAG,))
        payload_len = len(head) + 8 + len(text_head) + nbytes + TRAILER_SIZE
        frame_head = frame_header(payload_len, TAG_RECORD) + head
        st = struct.Struct(f"<{len(frame_head)}sd{len(text_head)}s{nbytes}sBQ")
        self._struct = st
        self.size = (st.size + 7) & ~7   # frame bytes in the ring

        def pack_into(buf, offset, ts: float, data: bytes, frame_no: int, _p=st.pack_into) -> None:
            _p(buf, offset, frame_head, ts, text_head, data, TAG_SEQ, frame_no)

        # pack_into(buf, offset, ts, utf-8 text, frame_no): the whole frame at ``offset``.
        self.pack_into = pack_into
        pack_record = struct.Struct(f"<BQ{len(head)}sd{len(text_head)}s{nbytes}s").pack

        def record(ts: float, data: bytes, seq: int) -> bytes:
            return pack_record(TAG_SEQ, seq, head, ts, text_head, data)

        # record(ts, utf-8 text, seq): the record as the WAL stores it, seq first.
        self.record = record

    def pack(self, ts: float, data: bytes, frame_no: int) -> bytes:
        """The frame as bytes (header included), for the spill path and tests."""
        buf = bytearray(self._struct.size)
        self.pack_into(buf, 0, ts, data, frame_no)
        return bytes(buf)


_console_packers: dict[tuple[int, int], ConsolePacker] = {}


def console_packer(stream: int, nbytes: int) -> ConsolePacker:
    """The (cached) packer for a console chunk of ``nbytes`` UTF-8 bytes on ``stream``."""
    packer = _console_packers.get((stream, nbytes))
    if packer is None:
        if len(_console_packers) >= 4096:
            _console_packers.clear()   # a bound on memory: lengths are few in practice
        packer = _console_packers[stream, nbytes] = ConsolePacker(stream, nbytes)
    return packer


def console_utf8(text: str) -> bytes:
    """A console chunk's text as UTF-8; lone surrogates become replacement characters (a protobuf
    string must be UTF-8)."""
    return text.encode("utf-8", "replace")


_VALUE_TAG = {"bool": TAG_VALUE_BOOL, "str": TAG_VALUE_STR, "json": TAG_VALUE_JSON}
_BOOL_BODY = {True: bytes((TAG_VALUE_BOOL, 1)), False: bytes((TAG_VALUE_BOOL, 0))}
_PACK_Q = struct.Struct("<q").pack
_PACK_D = struct.Struct("<d").pack
_PACK_STEP_TS = struct.Struct("<BqBd").pack


def _len_field(tag: int, body: bytes) -> bytes:
    n = len(body)
    return (bytes((tag, n)) if n < 0x80 else bytes((tag,)) + varint(n)) + body


def encode_history(step: int, ts: float, float_keys, float_values, int_keys, int_values,
                   items, frame_no: int) -> bytes:
    """``Record{history: HistoryRow}`` + frame trailer, without protobuf objects.

    ``items`` are ``(key id, "bool" | "str" | "json", value)``. The slow path
    of ``log()`` uses this; ``tests/test_fastpath.py`` pins it to the library.
    """
    parts = [_PACK_STEP_TS(TAG_ROW_STEP, step, TAG_ROW_TIMESTAMP, ts)]
    if float_keys:
        parts.append(_len_field(TAG_ROW_FLOAT_KEYS, b"".join(map(varint, float_keys))))
        parts.append(_len_field(TAG_ROW_FLOAT_VALUES, struct.pack(f"<{len(float_values)}d", *float_values)))
    if int_keys:
        parts.append(_len_field(TAG_ROW_INT_KEYS, b"".join(map(varint, int_keys))))
        parts.append(_len_field(TAG_ROW_INT_VALUES, struct.pack(f"<{len(int_values)}q", *int_values)))
    for key, kind, value in items:
        if kind == "bool":
            body = _BOOL_BODY[bool(value)]
        else:
            body = _len_field(_VALUE_TAG[kind], value.encode("utf-8"))
        key_field = bytes((TAG_ITEM_KEY, key)) if key < 0x80 else bytes((TAG_ITEM_KEY,)) + varint(key)
        parts.append(_len_field(TAG_ROW_ITEMS, key_field + _len_field(TAG_ITEM_VALUE, body)))
    row = b"".join(parts)
    return _len_field(TAG_HISTORY, row) + trailer(frame_no)


class RowPacker:
    """A compiled encoder for one layout of a history row: its float key ids, then its int key ids.

    Values are passed to ``pack_into`` ordered floats-then-ints; ``order``
    (an itemgetter, or None when the dict already has that order) puts a
    dict's values in that order.
    """

    __slots__ = ("struct", "size", "order", "float_ids", "int_ids", "last", "names", "prefix", "pack_into")

    def __init__(self, float_ids: Sequence[int], int_ids: Sequence[int],
                 order: Callable[[tuple], tuple] | None) -> None:
        self.float_ids = tuple(float_ids)
        self.int_ids = tuple(int_ids)
        self.order = order
        self.last: tuple | None = None  # (frame_no, values) of the latest use, for run.summary
        self.names: tuple[str, ...] = ()  # stored key names, in ``values`` order (set by the run)
        nf, ni = len(self.float_ids), len(self.int_ids)
        row = bytearray()
        if nf:
            fk = b"".join(varint(k) for k in self.float_ids)
            row += bytes([TAG_ROW_FLOAT_KEYS]) + varint(len(fk)) + fk
        if ni:
            ik = b"".join(varint(k) for k in self.int_ids)
            row += bytes([TAG_ROW_INT_KEYS]) + varint(len(ik)) + ik
        if nf:
            row += bytes([TAG_ROW_FLOAT_VALUES]) + varint(8 * nf)
        ints_head = (bytes([TAG_ROW_INT_VALUES]) + varint(8 * ni)) if ni else b""
        # row = row-prefix | floats | ints_head | ints | step tag, step | timestamp tag, ts
        row_len = len(row) + 8 * nf + len(ints_head) + 8 * ni + 9 + 9
        record_prefix = bytes([TAG_HISTORY]) + varint(row_len)
        payload_len = len(record_prefix) + row_len + TRAILER_SIZE
        self.prefix = frame_header(payload_len, TAG_RECORD) + record_prefix + bytes(row)
        prefix = self.prefix
        if ni:
            st = struct.Struct(f"<{len(prefix)}s{nf}d{len(ints_head)}s{ni}qBqBdBQ")

            def pack_into(buf, offset, values, step, ts, frame_no, _p=st.pack_into):
                _p(buf, offset, prefix, *values[:nf], ints_head, *values[nf:],
                   TAG_ROW_STEP, step, TAG_ROW_TIMESTAMP, ts, TAG_SEQ, frame_no)
        else:
            st = struct.Struct(f"<{len(prefix)}s{nf}dBqBdBQ")

            def pack_into(buf, offset, values, step, ts, frame_no, _p=st.pack_into):
                _p(buf, offset, prefix, *values, TAG_ROW_STEP, step, TAG_ROW_TIMESTAMP, ts, TAG_SEQ, frame_no)

        self.struct = st
        self.size = (st.size + 7) & ~7  # frame bytes in the ring
        # pack_into(buf, offset, values, step, ts, frame_no): write the whole
        # frame (header included) at ``offset``; ``values`` floats then ints.
        self.pack_into = pack_into

    def pack(self, values: tuple, step: int, ts: float, frame_no: int) -> bytes:
        """The frame as bytes (header included), for the spill path and tests."""
        buf = bytearray(self.struct.size)
        self.pack_into(buf, 0, values, step, ts, frame_no)
        return bytes(buf)
