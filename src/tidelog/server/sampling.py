"""Downsampled history: min/max/first/last of a key per x-bucket.

The x-range ``[x_min, x_max]`` is cut into ``buckets`` equal-width buckets.
Points go to the bucket their x falls in; per bucket the answer is the first
and last point in logging order, the minimum and maximum (NaN never is
either) and where they lie, and the count. Deterministic: the same request
reads the same blocks and tiles in the same order.

For ``_step``, ``_timestamp`` and ``_runtime`` the server reads the tile
pyramid from the database (``block_keys.tiles``: one entry per ``TILE``
values), not the values, whenever the range holds more than
``RAW_PER_BUCKET`` points per bucket; blocks cut by the range's ends, and
small ranges, are read from the store exactly. Any other x-axis key is read
from the blocks: the x key's value at each point's step.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from tidelog.server.blocks import TILE_FIELDS, decode_tiles
from tidelog.server.errors import ApiError
from tidelog.server.rows import block_columns, resolve_keys
from tidelog.server.schema import block_keys, blocks, keys

__all__ = ["sample"]

RAW_PER_BUCKET = 64
_F = {name: i for i, name in enumerate(TILE_FIELDS)}
_OUT = ("x", "x_last", "first", "last", "min", "max", "x_of_min", "x_of_max", "count")


def _points_as_tiles(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Raw points in the tile layout (each point a tile of one)."""
    t = np.empty((len(x), len(TILE_FIELDS)))
    for f in ("x_first", "x_last", "x_of_min", "x_of_max"):
        t[:, _F[f]] = x
    for f in ("first", "last", "min", "max"):
        t[:, _F[f]] = v
    t[:, _F["count"]] = 1
    t[:, _F["sum"]] = v
    t[:, _F["ts_first"]] = t[:, _F["ts_last"]] = np.nan
    return t


def _aggregate(t: np.ndarray, lo: float, hi: float, n: int) -> dict[str, list]:
    if not len(t):
        return {k: [] for k in _OUT}
    width = (hi - lo) / n if hi > lo else 1.0
    b = np.clip(((t[:, _F["x_first"]] - lo) / width).astype(np.int64), 0, n - 1)
    order = np.argsort(b, kind="stable")
    t, b = t[order], b[order]
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    ends = np.r_[starts[1:], len(b)] - 1
    mins = np.where(np.isnan(t[:, _F["min"]]), np.inf, t[:, _F["min"]])
    maxs = np.where(np.isnan(t[:, _F["max"]]), -np.inf, t[:, _F["max"]])
    # the first (in log order) extreme of each bucket
    imin = np.lexsort((np.arange(len(b)), mins, b))[starts]
    imax = np.lexsort((np.arange(len(b)), -maxs, b))[starts]
    vmin, vmax = mins[imin], maxs[imax]
    return {
        "x": t[starts, _F["x_first"]].tolist(), "x_last": t[ends, _F["x_last"]].tolist(),
        "first": t[starts, _F["first"]].tolist(), "last": t[ends, _F["last"]].tolist(),
        "min": np.where(np.isinf(vmin), np.nan, vmin).tolist(), "max": np.where(np.isinf(vmax), np.nan, vmax).tolist(),
        "x_of_min": t[imin, _F["x_of_min"]].tolist(), "x_of_max": t[imax, _F["x_of_max"]].tolist(),
        "count": np.add.reduceat(t[:, _F["count"]], starts).astype(np.int64).tolist(),
    }


def _raw_xy(conn, store, uid, kid: int, xid: int | None, x_axis: str, start: float, lo: float | None,
            hi: float | None, step_rng: tuple | None, first_seq: int | None = None):
    """Exact (x, v) points of key ``kid`` in log order."""
    xs, vs = [], []
    ids = [kid] if xid is None else [kid, xid]
    smin, smax = step_rng if step_rng else (None, None)
    for steps, ts, cols in block_columns(conn, store, uid, ids, smin, None if smax is None else smax + 1, True,
                                        first_seq):
        if kid not in cols or cols[kid][0] == "o":
            continue
        _, rows, vals = cols[kid]
        if x_axis == "_step":
            x = steps[rows].astype(np.float64)
        elif x_axis == "_timestamp":
            x = ts[rows]
        elif x_axis == "_runtime":
            x = ts[rows] - start
        else:
            if xid not in cols or cols[xid][0] == "o":
                continue
            _, xrows, xvals = cols[xid]
            xs_steps = steps[xrows]
            pos = np.searchsorted(xs_steps, steps[rows], side="right") - 1
            ok = (pos >= 0) & (xs_steps[np.clip(pos, 0, None)] == steps[rows])
            x = np.asarray(xvals, np.float64)[pos[ok]]
            vals = np.asarray(vals)[ok]
        v = np.asarray(vals, dtype=np.float64)
        keep = np.ones(len(x), dtype=bool)
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
        xs.append(x[keep])
        vs.append(v[keep])
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(vs)


def sample(conn, store, row, names: list[str], x_axis: str, buckets: int, x_min: float | None,
           x_max: float | None) -> dict:
    uid = row.uid
    start = (row.meta or {}).get("start_time") or row.created_at
    ids = resolve_keys(conn, uid, names)
    xid = None
    if x_axis not in ("_step", "_timestamp", "_runtime"):
        xi = resolve_keys(conn, uid, [x_axis])
        xid = next(iter(xi))
    if x_min is None or x_max is None:
        lo_d, hi_d = _data_range(conn, uid, list(ids), x_axis, xid, start)
        x_min = lo_d if x_min is None else x_min
        x_max = hi_d if x_max is None else x_max
    series = {}
    for name in names:
        kids = [k for k, n in ids.items() if n == name]
        parts = [_series(conn, store, uid, k, xid, x_axis, start, x_min, x_max, buckets) for k in kids]
        t = np.concatenate(parts) if parts else np.zeros((0, len(TILE_FIELDS)))
        series[name] = _aggregate(t, x_min, x_max, buckets) if x_min is not None else _aggregate(t[:0], 0, 0, 1)
    return {"x_axis": x_axis, "buckets": buckets, "x_min": x_min, "x_max": x_max, "series": series}


def _data_range(conn, uid, kids, x_axis, xid, start):
    if x_axis == "_step":
        r = conn.execute(sa.select(sa.func.min(keys.c.first_step), sa.func.max(keys.c.last_step)).where(
            keys.c.run_uid == uid, keys.c.key_id.in_(kids))).one()
    elif x_axis in ("_timestamp", "_runtime"):
        r = conn.execute(sa.select(sa.func.min(blocks.c.ts_min), sa.func.max(blocks.c.ts_max)).where(
            blocks.c.run_uid == uid, blocks.c.first_seq.in_(sa.select(block_keys.c.first_seq).where(
                block_keys.c.run_uid == uid, block_keys.c.key_id.in_(kids))))).one()
        if r[0] is not None and x_axis == "_runtime":
            r = (r[0] - start, r[1] - start)
    else:
        r = conn.execute(sa.select(keys.c.vmin, keys.c.vmax).where(keys.c.run_uid == uid, keys.c.key_id == xid)).one()
    return (None, None) if r[0] is None else (float(r[0]), float(r[1]))


def _series(conn, store, uid, kid, xid, x_axis, start, lo, hi, n) -> np.ndarray:
    if lo is None:
        return np.zeros((0, len(TILE_FIELDS)))
    if xid is not None:
        x, v = _raw_xy(conn, store, uid, kid, xid, x_axis, start, lo, hi, None)
        return _points_as_tiles(x, v)
    q = sa.select(block_keys, blocks.c.ts_min, blocks.c.ts_max).join(blocks, sa.and_(
        blocks.c.run_uid == block_keys.c.run_uid, blocks.c.first_seq == block_keys.c.first_seq)).where(
        block_keys.c.run_uid == uid, block_keys.c.key_id == kid, block_keys.c.kind != "o")
    if x_axis == "_step":
        q = q.where(block_keys.c.step_max >= lo, block_keys.c.step_min <= hi)
    else:
        off = start if x_axis == "_runtime" else 0.0
        q = q.where(blocks.c.ts_max >= lo + off, blocks.c.ts_min <= hi + off)
    parts = conn.execute(q.order_by(block_keys.c.first_seq)).all()
    total = sum(p.count for p in parts)
    if total <= RAW_PER_BUCKET * n:
        steps = (min(p.step_min for p in parts), max(p.step_max for p in parts)) if parts else None
        if steps is None:
            return np.zeros((0, len(TILE_FIELDS)))
        x, v = _raw_xy(conn, store, uid, kid, None, x_axis, start, lo, hi, steps)
        return _points_as_tiles(x, v)
    out = []
    for p in parts:
        if x_axis == "_step":
            inside = p.step_min >= lo and p.step_max <= hi
        else:
            off = start if x_axis == "_runtime" else 0.0
            inside = p.ts_min - off >= lo and p.ts_max - off <= hi
        if inside:
            t = decode_tiles(p.tiles).copy()
            if x_axis != "_step":
                off = start if x_axis == "_runtime" else 0.0
                t[:, _F["x_first"]] = t[:, _F["ts_first"]] - off
                t[:, _F["x_last"]] = t[:, _F["ts_last"]] - off
                t[:, _F["x_of_min"]] = t[:, _F["x_first"]]
                t[:, _F["x_of_max"]] = t[:, _F["x_first"]]
            out.append(t)
        else:
            x, v = _raw_xy(conn, store, uid, kid, None, x_axis, start, lo, hi, None, p.first_seq)
            out.append(_points_as_tiles(x, v))
    return np.concatenate(out) if out else np.zeros((0, len(TILE_FIELDS)))


def check_params(buckets: int, max_buckets: int, x_min, x_max) -> None:
    if not 1 <= buckets <= max_buckets:
        raise ApiError(400, f"buckets={buckets}: expected 1..{max_buckets}")
    if x_min is not None and x_max is not None and x_min > x_max:
        raise ApiError(400, f"x_min={x_min} is above x_max={x_max}")
