"""Protobuf base-128 varints: the one encoder and decoder every hand-written wire path uses.

``varint(n)`` encodes a non-negative int; ``read_varint(data, pos)`` returns
``(value, next_pos)``, or ``(-1, pos_reached)`` when ``data`` ends inside the
varint or it is longer than 64 bits — callers decide whether that is damage.
"""

from __future__ import annotations

__all__ = ["varint", "read_varint"]


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
