"""History rows: every row of chosen keys, read block by block.

``block_columns`` fetches, for each block of a run in log order that may
hold the keys in a step range, its head and the keys' sections (ranged GETs
of the block object) and decodes them. ``iter_rows`` turns those into rows
with the library reader's rules (``read/history.py``): consecutive fragments
of one step are one row, the later value wins; ``_runtime`` counts from the
run's start; with ``keys``, rows that hold none of them are skipped.
``page`` answers one page and where the next starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import sqlalchemy as sa

from tidelog.server.blocks import decode_head, decode_section
from tidelog.server.errors import ApiError
from tidelog.server.schema import block_keys, blocks, keys

__all__ = ["resolve_keys", "block_columns", "iter_rows", "page"]

_SYSTEM = ("_step", "_timestamp", "_runtime")


def resolve_keys(conn: sa.Connection, uid: int, names: list[str] | None) -> dict[int, str]:
    """Key id -> name for ``names`` (all keys when None). Unknown names: 404."""
    q = sa.select(keys.c.key_id, keys.c.name).where(keys.c.run_uid == uid)
    found = {kid: name for kid, name in conn.execute(q)}
    if names is None:
        return found
    by_name: dict[str, list[int]] = {}
    for kid, name in found.items():
        by_name.setdefault(name, []).append(kid)
    missing = [n for n in names if n not in by_name and n not in _SYSTEM]
    if missing:
        raise ApiError(404, f"the run has no key {missing[0]!r}")
    return {kid: n for n in names if n in by_name for kid in by_name[n]}


def block_columns(conn: sa.Connection, store, uid: int, key_ids: list[int], min_step: int | None = None,
                  max_step: int | None = None, with_keys_only: bool = False, first_seq: int | None = None,
                  ) -> Iterator[tuple[np.ndarray, np.ndarray, dict[int, tuple]]]:
    """``(steps, ts, {key_id: (kind, rows, values)})`` per block, in log order
    (only blocks holding one of ``key_ids`` when ``with_keys_only``)."""
    q = sa.select(blocks).where(blocks.c.run_uid == uid).order_by(blocks.c.first_seq)
    if first_seq is not None:
        q = q.where(blocks.c.first_seq == first_seq)
    if with_keys_only:
        q = q.where(blocks.c.first_seq.in_(sa.select(block_keys.c.first_seq).where(
            block_keys.c.run_uid == uid, block_keys.c.key_id.in_(key_ids))))
    if min_step is not None:
        q = q.where(blocks.c.step_max >= min_step)
    if max_step is not None:
        q = q.where(blocks.c.step_min < max_step)
    block_rows = conn.execute(q).all()
    if not block_rows:
        return
    secs: dict[int, list] = {}
    if key_ids:
        sq = sa.select(block_keys).where(block_keys.c.run_uid == uid, block_keys.c.key_id.in_(key_ids),
                                         block_keys.c.first_seq.in_([b.first_seq for b in block_rows]))
        for s in conn.execute(sq):
            secs.setdefault(s.first_seq, []).append(s)
    for b in block_rows:
        mine = secs.get(b.first_seq, [])
        ranges = [(b.head_off, b.head_len)] + [(s.off, s.len) for s in mine]
        data = store.get_ranges(b.object, ranges)
        steps, ts = decode_head(data[0])
        cols = {s.key_id: (s.kind, *decode_section(d, s.kind, b.nrows)) for s, d in zip(mine, data[1:])}
        yield steps, ts, cols


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def iter_rows(conn: sa.Connection, store, uid: int, start_time: float | None, names: dict[int, str],
              only_keys: bool, min_step: int | None = None, max_step: int | None = None) -> Iterator[dict]:
    row: dict[str, Any] | None = None
    start = start_time

    def finish(r: dict) -> dict | None:
        r["_runtime"] = r["_timestamp"] - start
        if only_keys and len(r) == 3:
            return None
        return r

    for steps, ts, cols in block_columns(conn, store, uid, list(names), min_step, max_step, only_keys):
        n = len(steps)
        per_row: list[dict] = [{} for _ in range(n)]
        for kid, (_kind, rows, values) in cols.items():
            name = names[kid]
            vals = values.tolist() if isinstance(values, np.ndarray) else values
            for r, v in zip(rows.tolist(), vals):
                per_row[r][name] = v
        for i, (step, t) in enumerate(zip(steps.tolist(), ts.tolist())):
            if start is None:
                start = t
            if (min_step is not None and step < min_step) or (max_step is not None and step >= max_step):
                continue
            if row is not None and row["_step"] == step:
                row.update(per_row[i])
                row["_timestamp"] = t
                continue
            if row is not None:
                out = finish(row)
                if out is not None:
                    yield out
            row = {"_step": step, "_timestamp": t, "_runtime": 0.0}
            row.update(per_row[i])
    if row is not None:
        out = finish(row)
        if out is not None:
            yield out


def page(rows: Iterator[dict], limit: int) -> dict:
    out: list[dict] = []
    for r in rows:
        if len(out) == limit:
            return {"rows": out, "next_min_step": r["_step"]}
        out.append(r)
    return {"rows": out, "next_min_step": None}
