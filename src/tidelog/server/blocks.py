"""Columnar history blocks in the object store, and their tile pyramid.

One ingest batch's history fragments become one object: a *head* section
(steps and timestamps of the N fragments, delta-coded, byte-shuffled, zstd)
and one section per key (the rows that hold it and their values), each
compressed on its own so a query fetches only the columns it asks for with
ranged GETs. The database indexes each section (``block_keys``: offset,
length, count, step range, min, max) and keeps its *tiles*: for every run of
``TILE`` values, first/last/min/max/count/sum and where they lie. Tiles are
the pyramid level a downsampled query reads instead of the values; the
block-level statistics are the level above.

Section encoding (little-endian, then zstd):
  head:      u32 N | shuffle(delta(steps int64[N])) | shuffle(timestamps float64[N], exact)
  f/i key:   u32 C | (u32 row[C] if C < N) | shuffle(values float64/int64[C])
  o key:     u32 C | (u32 row[C] if C < N) | JSON array of the C values
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import numpy as np
import zstandard

__all__ = ["TILE", "TILE_FIELDS", "BlockBuilder", "KeySection", "decode_head", "decode_section",
           "encode_tiles", "decode_tiles"]

TILE = 256
TILE_FIELDS = ("x_first", "x_last", "ts_first", "ts_last", "first", "last", "min", "max",
               "count", "sum", "x_of_min", "x_of_max")
_LEVEL = 3
# One compressor per thread: a ZstdCompressor is not thread-safe, and ingest
# runs in the server's thread pool (concurrent uploads corrupted blocks).
_local = threading.local()


def _shuffle(arr: np.ndarray) -> bytes:
    return np.ascontiguousarray(arr).view(np.uint8).reshape(-1, 8).T.tobytes()


def _unshuffle(data: bytes, n: int, dtype: str) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8, count=8 * n).reshape(8, n).T.copy().view(dtype).reshape(-1)


def _delta(a: np.ndarray) -> np.ndarray:
    out = a.astype("<i8").copy()
    out[1:] = np.diff(a.astype("<i8"))
    return out


def _zstd(data: bytes) -> bytes:
    cctx = getattr(_local, "cctx", None)
    if cctx is None:
        cctx = _local.cctx = zstandard.ZstdCompressor(level=_LEVEL)
    return cctx.compress(data)


def _unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompress(data, max_output_size=1 << 30)


@dataclass
class KeySection:
    """One key's values in a block (rows are fragment indexes)."""

    key_id: int
    kind: str  # "f" | "i" | "o"
    rows: np.ndarray  # int64[C]
    values: np.ndarray | list  # float64/int64[C], or a list of JSON values
    off: int = 0
    length: int = 0


def _last_per_row(sec: KeySection, row_ids: np.ndarray) -> KeySection:
    """``sec`` without the values a later fragment of the same row overwrites."""
    if len(sec.rows) < 2:
        return sec
    ids = row_ids[sec.rows]
    keep = np.ones(len(ids), dtype=bool)
    keep[:-1] = ids[:-1] != ids[1:]
    if keep.all():
        return sec
    values = ([v for v, k in zip(sec.values, keep) if k] if isinstance(sec.values, list)
              else np.asarray(sec.values)[keep])
    return KeySection(sec.key_id, sec.kind, sec.rows[keep], values)


@dataclass
class BlockBuilder:
    """Fragments of one batch, gathered then encoded as one object."""

    steps: list[np.ndarray] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    n: int = 0
    _num: dict[int, list[tuple[np.ndarray, np.ndarray, str]]] = field(default_factory=dict)
    _obj: dict[int, list[tuple[int, object]]] = field(default_factory=dict)

    def add_columns(self, steps, ts, keys_f, cols_f, keys_i, cols_i) -> None:
        n = len(steps)
        rows = np.arange(self.n, self.n + n, dtype=np.int64)
        self.steps.append(np.asarray(steps, dtype=np.int64))
        self.ts.append(np.asarray(ts, dtype=np.float64))
        for k, col in zip(keys_f, cols_f):
            self._num.setdefault(int(k), []).append((rows, np.asarray(col, np.float64), "f"))
        for k, col in zip(keys_i, cols_i):
            self._num.setdefault(int(k), []).append((rows, np.asarray(col, np.int64), "i"))
        self.n += n

    def add_row(self, step: int, ts: float, floats: dict[int, float], ints: dict[int, int],
                others: dict[int, object]) -> None:
        r = np.array([self.n], dtype=np.int64)
        self.steps.append(np.array([step], dtype=np.int64))
        self.ts.append(np.array([ts], dtype=np.float64))
        for k, v in floats.items():
            self._num.setdefault(k, []).append((r, np.array([v], np.float64), "f"))
        for k, v in ints.items():
            self._num.setdefault(k, []).append((r, np.array([v], np.int64), "i"))
        for k, obj in others.items():
            self._obj.setdefault(k, []).append((self.n, obj))
        self.n += 1

    def _row_ids(self) -> np.ndarray:
        """For each fragment, the history row it belongs to: consecutive fragments of one step are one row."""
        steps = np.concatenate(self.steps) if self.steps else np.zeros(0, np.int64)
        change = np.ones(len(steps), dtype=bool)
        change[1:] = steps[1:] != steps[:-1]
        return np.cumsum(change)

    def sections(self) -> list[KeySection]:
        """One section per key, holding only the value each row reads: where fragments
        of one step set a key more than once, the last (so the tiles' and the index's
        min/max/first/last are over the rows, not over overwritten values)."""
        row_ids = self._row_ids()
        return [_last_per_row(sec, row_ids) for sec in self._sections()]

    def _sections(self) -> list[KeySection]:
        out = []
        for k, parts in self._num.items():
            kinds = {p[2] for p in parts}
            rows = np.concatenate([p[0] for p in parts])
            if kinds == {"i"}:
                vals = np.concatenate([p[1] for p in parts])
                kind = "i"
            else:
                vals = np.concatenate([p[1].astype(np.float64) for p in parts])
                kind = "f"
            if k in self._obj:  # a key with numbers and other values: all become JSON
                merged = sorted([(int(r), v.item()) for r, v in zip(rows, vals)] + self._obj.pop(k))
                out.append(KeySection(k, "o", np.array([m[0] for m in merged], np.int64), [m[1] for m in merged]))
                continue
            order = np.argsort(rows, kind="stable")
            out.append(KeySection(k, kind, rows[order], vals[order]))
        for k, items in self._obj.items():
            out.append(KeySection(k, "o", np.array([i[0] for i in items], np.int64), [i[1] for i in items]))
        return out

    def encode(self) -> tuple[bytes, int, list[KeySection], np.ndarray, np.ndarray]:
        """The object's bytes, the head's length, the key sections (offsets
        filled in), and the fragment steps and timestamps."""
        steps = np.concatenate(self.steps) if self.steps else np.zeros(0, np.int64)
        ts = np.concatenate(self.ts) if self.ts else np.zeros(0, np.float64)
        head = _zstd(np.uint32(self.n).tobytes() + _shuffle(_delta(steps)) + _shuffle(ts.astype("<f8")))
        parts, pos = [head], len(head)
        sections = self.sections()
        for s in sections:
            body = np.uint32(len(s.rows)).tobytes()
            if len(s.rows) < self.n:
                body += s.rows.astype("<u4").tobytes()
            if s.kind == "o":
                body += json.dumps(s.values, separators=(",", ":"), allow_nan=True).encode()
            else:
                body += _shuffle(np.asarray(s.values, dtype="<f8" if s.kind == "f" else "<i8"))
            data = _zstd(body)
            s.off, s.length = pos, len(data)
            parts.append(data)
            pos += len(data)
        return b"".join(parts), len(head), sections, steps, ts


def decode_head(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``(steps int64[N], timestamps float64[N])`` of a head section."""
    raw = _unzstd(data)
    n = int(np.frombuffer(raw, "<u4", 1)[0])
    steps = np.cumsum(_unshuffle(raw[4:4 + 8 * n], n, "<i8"))
    ts = _unshuffle(raw[4 + 8 * n:], n, "<f8")
    return steps.astype(np.int64), ts


def decode_section(data: bytes, kind: str, n: int) -> tuple[np.ndarray, np.ndarray | list]:
    """``(rows, values)`` of a key section in a block of ``n`` fragments."""
    raw = _unzstd(data)
    c = int(np.frombuffer(raw, "<u4", 1)[0])
    pos = 4
    if c < n:
        rows = np.frombuffer(raw, "<u4", c, pos).astype(np.int64)
        pos += 4 * c
    else:
        rows = np.arange(n, dtype=np.int64)
    if kind == "o":
        return rows, json.loads(raw[pos:])
    return rows, _unshuffle(raw[pos:], c, "<f8" if kind == "f" else "<i8")


def encode_tiles(x: np.ndarray, ts: np.ndarray, values: np.ndarray) -> bytes:
    """Tiles of ``TILE`` consecutive values: ``TILE_FIELDS`` per tile, float64, zstd."""
    v = values.astype(np.float64)
    c = len(v)
    starts = np.arange(0, c, TILE)
    ends = np.minimum(starts + TILE, c)
    pad = (-c) % TILE
    grid = np.concatenate([v, np.full(pad, np.nan)]).reshape(-1, TILE)
    xg = np.concatenate([x.astype(np.float64), np.full(pad, np.nan)]).reshape(-1, TILE)
    lo = np.where(np.isnan(grid), np.inf, grid)
    hi = np.where(np.isnan(grid), -np.inf, grid)
    imin, imax = lo.argmin(axis=1), hi.argmax(axis=1)
    rows = np.arange(len(starts))
    vmin, vmax = lo[rows, imin], hi[rows, imax]
    allnan = np.isinf(vmin) & np.isnan(grid[rows, imin])
    vmin = np.where(allnan, np.nan, vmin)
    vmax = np.where(allnan, np.nan, vmax)
    tiles = np.stack([
        x[starts].astype(np.float64), x[ends - 1].astype(np.float64), ts[starts], ts[ends - 1],
        v[starts], v[ends - 1], vmin, vmax, (ends - starts).astype(np.float64),
        np.nansum(np.where(np.isinf(grid), np.nan, grid), axis=1), xg[rows, imin], xg[rows, imax],
    ], axis=1)
    return _zstd(np.ascontiguousarray(tiles, dtype="<f8").tobytes())


def decode_tiles(data: bytes) -> np.ndarray:
    """float64[ntiles, len(TILE_FIELDS)]."""
    return np.frombuffer(_unzstd(data), "<f8").reshape(-1, len(TILE_FIELDS))
