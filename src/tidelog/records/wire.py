"""The hand-written wire: varints, field tags and the trainer's frame trailer, in one place.

Every module that reads or writes ``tidelog.v1.Record`` bytes without the
protobuf library (``transport.fastpath``, ``sender.builder``, ``wal.format``,
``read.tail``) takes its field tags and its trailer handling from here.

* ``varint(n)`` encodes a non-negative int; ``read_varint(data, pos)``
  returns ``(value, next_pos)``, or ``(-1, pos_reached)`` when ``data`` ends
  inside the varint or it is longer than 64 bits: callers decide whether
  that is damage.
* ``field_tag(message, field)`` is the tag byte(s) value of a field, derived
  from the generated descriptor; the ``TAG_*`` constants below are computed
  with it once, at import, so the proto stays the only source of field
  numbers and wire types (``tests/test_wire.py`` pins them).
* Every trainer frame's record ends in ``TRAILER_SIZE`` bytes: the ``seq``
  tag then the trainer's frame number as fixed64 (``SEQ_TRAILER``).
  ``trailer(n)`` writes it, ``frame_no(payload)`` reads it back,
  ``strip_trailer(payload)`` drops it and ``stamp(seq, payload)`` swaps it
  for the WAL sequence number at the front of the record.
"""

from __future__ import annotations

import struct

from google.protobuf.descriptor import FieldDescriptor

from tidelog.records import pb

__all__ = [
    "varint", "read_varint", "field_tag",
    "TAG_SEQ", "TAG_HISTORY", "TAG_HISTORY_BLOCK", "TAG_EXIT", "TAG_MARK",
    "TAG_ROW_STEP", "TAG_ROW_TIMESTAMP", "TAG_ROW_FLOAT_KEYS", "TAG_ROW_FLOAT_VALUES",
    "TAG_ROW_INT_KEYS", "TAG_ROW_INT_VALUES", "TAG_ROW_ITEMS", "TAG_ITEM_KEY", "TAG_ITEM_VALUE",
    "TAG_VALUE_BOOL", "TAG_VALUE_STR", "TAG_VALUE_JSON", "TAG_BLOCK_COUNT",
    "SEQ_TRAILER", "TRAILER_SIZE", "trailer", "frame_no", "strip_trailer", "stamp",
]


def varint(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(data, pos: int) -> tuple[int, int]:
    n, shift, end = 0, 0, len(data)
    while pos < end and shift < 64:
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, pos
        shift += 7
    return -1, pos


_FD = FieldDescriptor
_WIRE_TYPE = {
    _FD.TYPE_DOUBLE: 1, _FD.TYPE_FIXED64: 1, _FD.TYPE_SFIXED64: 1,
    _FD.TYPE_FLOAT: 5, _FD.TYPE_FIXED32: 5, _FD.TYPE_SFIXED32: 5,
    _FD.TYPE_STRING: 2, _FD.TYPE_BYTES: 2, _FD.TYPE_MESSAGE: 2,
}


def field_tag(message, field: str) -> int:
    """The tag of ``message``'s ``field`` (a generated class), ``number << 3 | wire type``.

    Repeated scalar fields are packed in proto3, so they are length-delimited.
    """
    fd = message.DESCRIPTOR.fields_by_name[field]
    # ``is_repeated`` since protobuf 6.30 (``label`` is gone in 7); ``label`` before it
    repeated = fd.is_repeated if hasattr(fd, "is_repeated") else fd.label == _FD.LABEL_REPEATED
    packed = repeated and fd.type not in (_FD.TYPE_STRING, _FD.TYPE_BYTES, _FD.TYPE_MESSAGE)
    wire = 2 if packed else _WIRE_TYPE.get(fd.type, 0)
    return fd.number << 3 | wire


TAG_SEQ = field_tag(pb.Record, "seq")                       # 0x09
TAG_HISTORY = field_tag(pb.Record, "history")               # 0x2A
TAG_HISTORY_BLOCK = field_tag(pb.Record, "history_block")   # 0x32
TAG_EXIT = field_tag(pb.Record, "exit")                     # 0x6A
TAG_CONSOLE = field_tag(pb.Record, "console")               # 0x52
TAG_MARK = varint(field_tag(pb.Record, "mark"))             # b"\x8a\x01": two bytes on the wire
TAG_ROW_STEP = field_tag(pb.HistoryRow, "step")             # 0x09
TAG_ROW_TIMESTAMP = field_tag(pb.HistoryRow, "timestamp")   # 0x11
TAG_ROW_FLOAT_KEYS = field_tag(pb.HistoryRow, "float_keys")      # 0x1A
TAG_ROW_FLOAT_VALUES = field_tag(pb.HistoryRow, "float_values")  # 0x22
TAG_ROW_INT_KEYS = field_tag(pb.HistoryRow, "int_keys")          # 0x2A
TAG_ROW_INT_VALUES = field_tag(pb.HistoryRow, "int_values")      # 0x32
TAG_ROW_ITEMS = field_tag(pb.HistoryRow, "items")           # 0x3A
TAG_ITEM_KEY = field_tag(pb.Item, "key")                    # 0x08
TAG_ITEM_VALUE = field_tag(pb.Item, "value")                # 0x12
TAG_VALUE_BOOL = field_tag(pb.Value, "bool")                # 0x18
TAG_VALUE_STR = field_tag(pb.Value, "str")                  # 0x22
TAG_VALUE_JSON = field_tag(pb.Value, "json")                # 0x2A
TAG_BLOCK_COUNT = field_tag(pb.HistoryBlock, "count")       # 0x08

SEQ_TRAILER = struct.Struct("<BQ")
"""``TAG_SEQ`` + a fixed64: the trailer of every trainer frame, and the head of every WAL record."""
TRAILER_SIZE = SEQ_TRAILER.size  # 9


def trailer(frame: int) -> bytes:
    """The last ``TRAILER_SIZE`` bytes of a trainer frame numbered ``frame``."""
    return SEQ_TRAILER.pack(TAG_SEQ, frame)


def frame_no(record) -> int:
    """The trainer's frame number, from the trailer of a trainer frame's record."""
    return int.from_bytes(record[-8:], "little")


def strip_trailer(record) -> bytes:
    """A trainer frame's record without its trailer."""
    return bytes(record[:-TRAILER_SIZE])


def stamp(seq: int, record) -> bytes:
    """A trainer frame's record as the WAL stores it: ``seq`` first, the trailer gone."""
    return SEQ_TRAILER.pack(TAG_SEQ, seq) + bytes(record[:-TRAILER_SIZE])
