"""Columnar codec for ``HistoryBlock``: N history fragments stored by column.

Layout (as in ``record.proto``): every column is N little-endian 8-byte
values, byte-shuffled (all first bytes, then all second bytes, ...) so that
zstd sees the slowly changing high bytes together. Steps, timestamps (in
integer microseconds) and int columns are delta-coded first (the first
value, then differences, wrapping modulo 2**64); float columns are stored
as they are, so every float64 round-trips bit for bit. Timestamps round-trip
to the microsecond.

numpy only; the cost is a few vectorised passes per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tidelog.records import pb

__all__ = ["BlockColumns", "encode_block", "decode_block"]

_I8 = np.dtype("<i8")
_F8 = np.dtype("<f8")


@dataclass(frozen=True)
class BlockColumns:
    """A decoded block: ``float_cols[i]`` is the column of ``float_keys[i]``."""

    steps: np.ndarray  # int64[n]
    timestamps: np.ndarray  # float64[n], unix seconds
    float_keys: np.ndarray  # uint32[k]
    float_cols: np.ndarray  # float64[k, n]
    int_keys: np.ndarray  # uint32[m]
    int_cols: np.ndarray  # int64[m, n]

    @property
    def count(self) -> int:
        return len(self.steps)


def _shuffle(cols: np.ndarray) -> bytes:
    """Rows of 8-byte values -> each row's byte planes, row after row."""
    rows, n = cols.shape
    return cols.view(np.uint8).reshape(rows, n, 8).transpose(0, 2, 1).tobytes()


def _unshuffle(data: bytes, rows: int, n: int, dtype: np.dtype) -> np.ndarray:
    if len(data) != rows * n * 8:
        raise ValueError(f"column bytes: {len(data)}, expected {rows * n * 8} for {rows}x{n}")
    planes = np.frombuffer(data, dtype=np.uint8).reshape(rows, 8, n)
    return np.ascontiguousarray(planes.transpose(0, 2, 1)).view(dtype).reshape(rows, n)


def _delta(cols: np.ndarray) -> np.ndarray:
    """First value, then differences, along the last axis (mod 2**64)."""
    out = np.empty_like(cols)
    if cols.shape[-1]:
        out[..., 0] = cols[..., 0]
        np.subtract(cols[..., 1:], cols[..., :-1], out=out[..., 1:])
    return out


def _undelta(cols: np.ndarray) -> np.ndarray:
    return np.cumsum(cols, axis=-1, dtype=_I8)


def _as_2d(values: np.ndarray | Sequence, dtype: np.dtype, keys: Sequence[int], n: int, what: str) -> np.ndarray:
    arr = np.ascontiguousarray(values, dtype=dtype)
    if arr.size == 0 and not keys:
        return arr.reshape(0, n)
    if arr.shape != (len(keys), n):
        raise ValueError(f"{what} has shape {arr.shape}, expected ({len(keys)}, {n})")
    return arr


def encode_block(
    steps: np.ndarray,
    timestamps: np.ndarray,
    float_keys: Sequence[int],
    float_cols: np.ndarray,
    int_keys: Sequence[int],
    int_cols: np.ndarray,
) -> pb.HistoryBlock:
    """Encode N fragments. ``timestamps`` are unix seconds; ``float_cols`` is
    float64[len(float_keys), N], ``int_cols`` int64[len(int_keys), N]."""
    steps = np.ascontiguousarray(steps, dtype=_I8).reshape(-1)
    n = len(steps)
    ts = np.asarray(timestamps, dtype=np.float64).reshape(-1)
    if len(ts) != n:
        raise ValueError(f"{len(ts)} timestamps for {n} steps")
    ts_us = np.rint(ts * 1e6).astype(_I8)
    fcols = _as_2d(float_cols, _F8, float_keys, n, "float_cols")
    icols = _as_2d(int_cols, _I8, int_keys, n, "int_cols")
    head = np.stack([_delta(steps), _delta(ts_us)])
    return pb.HistoryBlock(
        count=n,
        steps=_shuffle(head[:1]),
        timestamps_us=_shuffle(head[1:]),
        float_keys=list(float_keys),
        float_columns=_shuffle(fcols),
        int_keys=list(int_keys),
        int_columns=_shuffle(_delta(icols)),
    )


def decode_block(block: pb.HistoryBlock) -> BlockColumns:
    """Decode a block. Raises ValueError if its byte lengths do not match
    its count and key lists."""
    n = block.count
    k, m = len(block.float_keys), len(block.int_keys)
    steps = _undelta(_unshuffle(block.steps, 1, n, _I8))[0]
    ts_us = _undelta(_unshuffle(block.timestamps_us, 1, n, _I8))[0]
    return BlockColumns(
        steps=steps,
        timestamps=ts_us / 1e6,
        float_keys=np.array(block.float_keys, dtype=np.uint32),
        float_cols=_unshuffle(block.float_columns, k, n, _F8),
        int_keys=np.array(block.int_keys, dtype=np.uint32),
        int_cols=_undelta(_unshuffle(block.int_columns, m, n, _I8)),
    )
