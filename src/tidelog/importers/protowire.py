"""A minimal protobuf wire-format reader, for messages whose schema tidelog does not ship.

``fields(buf)`` yields ``(field_number, value)`` for each field in order:
varints as ints, 64-/32-bit fields as raw little-endian bytes, length-delimited
fields as ``bytes`` (a string, bytes, a sub-message or a packed array: the caller
knows which). Groups (wire types 3/4, unused by proto3) and malformed input raise
``ValueError``; unknown fields are simply yielded, so a newer writer that adds
fields is read fine.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from tidelog.records.wire import read_varint

__all__ = ["fields", "as_int32", "as_sint", "as_double", "as_str"]


# The value is an int or bytes as the wire type decides; the caller knows the field, so it is typed Any.
def fields(buf: bytes) -> Iterator[tuple[int, Any]]:
    pos, end = 0, len(buf)
    while pos < end:
        tag, pos = read_varint(buf, pos)
        if tag < 0:
            raise ValueError("truncated field tag")
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = read_varint(buf, pos)
            if value < 0:
                raise ValueError(f"truncated varint in field {number}")
            yield number, value
        elif wire == 2:
            n, pos = read_varint(buf, pos)
            if n < 0 or pos + n > end:
                raise ValueError(f"field {number} runs past the end of its message")
            yield number, buf[pos:pos + n]
            pos += n
        elif wire == 1:
            if pos + 8 > end:
                raise ValueError(f"truncated 64-bit field {number}")
            yield number, buf[pos:pos + 8]
            pos += 8
        elif wire == 5:
            if pos + 4 > end:
                raise ValueError(f"truncated 32-bit field {number}")
            yield number, buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire} in field {number}")


def as_int32(v: int) -> int:
    """An ``int32``/``int64`` varint: negative numbers arrive as 64-bit two's complement."""
    return v - (1 << 64) if v >= 1 << 63 else v


def as_sint(v: int) -> int:
    """A ``sint32``/``sint64`` (zigzag) varint."""
    return (v >> 1) ^ -(v & 1)


def as_double(v: bytes) -> float:
    return struct.unpack("<d", v)[0]


def as_str(v: bytes) -> str:
    return bytes(v).decode("utf-8", errors="replace")
