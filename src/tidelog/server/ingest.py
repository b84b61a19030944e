"""The write path: a run's WAL chunks in, acknowledged by sequence number.

``ingest(ctx, project, run_id, after, body)`` (docs/server-api.md, "Ingest"):
parse and check the whole body first (nothing stored on any fault), drop the
records the run already holds, fold the rest, put their history and streams
as one object (named by the seq range, so a concurrent upload of the same
range writes the same bytes), then, in one transaction holding the run's
lock, re-check ``acked_seq`` (retrying when another writer moved it), write
the index rows and the run's new state, and commit. ``acked_seq`` is
answered only after the commit: acknowledged means durable.
"""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np
import sqlalchemy as sa

from tidelog.read.chunks import ChunkStreamError, StreamRecord, parse_chunk_stream
from tidelog.server import db
from tidelog.server.blocks import encode_tiles
from tidelog.server.errors import ApiError
from tidelog.server.fold import BadBatch, Batch, fold, value_type
from tidelog.server.runstate import apply_run_state
from tidelog.server.schema import block_keys, blocks, files, keys, runs, streams

__all__ = ["ingest", "acked", "check_name", "ensure_run"]

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
_RETRIES = 8


def check_name(value: str, what: str) -> str:
    if not _NAME.match(value) or value in (".", ".."):
        raise ApiError(400, f"{what} {value[:130]!r} must be 1-128 characters of A-Z a-z 0-9 _ . -")
    return value


def ensure_run(conn: sa.Connection, project: str, run_id: str) -> int:
    """The run's uid, creating an empty run row when it is new."""
    now = time.time()
    stmt = db.insert(conn, runs).values(
        project=project, run_id=run_id, tags=[], created_at=now, updated_at=now,
        config={}, summary={}, meta={}).on_conflict_do_nothing(index_elements=["project", "run_id"])
    conn.execute(stmt)
    return conn.execute(sa.select(runs.c.uid).where(runs.c.project == project, runs.c.run_id == run_id)).scalar_one()


def acked(engine: sa.Engine, project: str, run_id: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(sa.select(runs.c.acked_seq, runs.c.records).where(
            runs.c.project == project, runs.c.run_id == run_id)).first()
    return {"acked_seq": row.acked_seq if row else 0, "records": row.records if row else 0}


def _in_order(records: list[StreamRecord]) -> list[StreamRecord]:
    """The records minus repeats (a range already seen, as the WAL reader
    drops what a restarted sender wrote twice); 400 on anything else out of order."""
    out, prev = [], 0
    for r in records:
        if r.seq == 0:
            raise ApiError(400, "a record of the batch has no sequence number")
        if r.last_seq <= prev:
            continue
        if r.seq <= prev:
            raise ApiError(400, f"records out of order: seq {r.seq}..{r.last_seq} overlaps seq {prev}")
        out.append(r)
        prev = r.last_seq
    return out


def ingest(ctx, project: str, run_id: str, after: int, body: bytes) -> dict:
    check_name(project, "project")
    check_name(run_id, "run id")
    if not body:
        raise ApiError(400, "empty body: send one or more WAL chunks")
    try:
        records = parse_chunk_stream(body)
    except ChunkStreamError as err:
        raise ApiError(400, f"malformed WAL batch: {err}") from None
    records = _in_order(records)
    for _attempt in range(_RETRIES):
        with ctx.engine.connect() as conn:
            with conn.begin():
                uid = ensure_run(conn, project, run_id)
                have = conn.execute(sa.select(runs.c.acked_seq).where(runs.c.uid == uid)).scalar_one()
        if after > have:
            raise ApiError(409, f"after={after} but the server holds this run up to seq {have}; "
                                f"resume after {have}", acked_seq=have)
        new = [r for r in records if r.seq > have]
        if not new:
            return {"acked_seq": have, "stored": 0, "duplicates": len(records)}
        if new[0].seq > have + 1 and after != have:
            raise ApiError(409, f"the batch starts at seq {new[0].seq} but the server holds this run up to "
                                f"seq {have}; send after={have} to state that the seqs between are gone",
                           acked_seq=have)
        try:
            batch = fold(new, ctx.settings.max_key_len)
        except BadBatch as err:
            raise ApiError(400, f"malformed WAL batch: {err}") from None
        if batch.start is not None:
            for got, want, what in ((batch.start.project, project, "project"), (batch.start.run_id, run_id, "run id")):
                if got and got != want:
                    raise ApiError(400, f"the batch's RunStart names {what} {got!r}, the URL {want!r}")
        obj_name, layout = _put_objects(ctx, uid, batch)
        with ctx.engine.connect() as conn:
            with db.begin_write(conn):
                row = db.lock_run(conn, uid)
                if row.acked_seq != have:
                    conn.rollback()
                    continue  # another writer stored part of this: redo against its state
                _apply(ctx, conn, row, batch, obj_name, layout)
        return {"acked_seq": batch.last_seq, "stored": len(new), "duplicates": len(records) - len(new)}
    raise ApiError(503, "too many concurrent writers to this run; retry")


def _put_objects(ctx, uid: int, batch: Batch) -> tuple[str | None, dict]:
    """The batch's history and streams as one object; ``layout`` locates its sections."""
    layout: dict[str, Any] = {}
    if not batch.history.n and not batch.console and not batch.system:
        return None, layout
    if batch.history.n:
        data, head_len, sections, steps, ts = batch.history.encode()
        layout["history"] = (head_len, sections, steps, ts)
    else:
        data = b""
    parts = [data]
    pos = len(data)
    from tidelog.server.blocks import _zstd
    from tidelog.server.jsonio import dumps

    for kind, items in (("console", batch.console), ("system", batch.system)):
        if items:
            blob = _zstd(dumps(items).encode())
            layout[kind] = (pos, len(blob), len(items), items[0][0], items[-1][0])
            parts.append(blob)
            pos += len(blob)
    name = f"runs/{uid}/{batch.first_seq:020d}-{batch.last_seq:020d}.tlb"
    ctx.store.put(name, b"".join(parts))
    return name, layout


def _apply(ctx, conn: sa.Connection, row, batch: Batch, obj: str | None, layout: dict) -> None:
    uid = row.uid
    if batch.new_keys:
        conn.execute(db.insert(conn, keys).on_conflict_do_nothing(), [
            {"run_uid": uid, "key_id": k, "name": n} for k, n in batch.new_keys.items()])
        n_keys = conn.execute(sa.select(sa.func.count()).select_from(keys).where(keys.c.run_uid == uid)).scalar_one()
        if n_keys > ctx.settings.max_keys_per_run:
            raise ApiError(400, f"the run would have {n_keys} keys, over the limit of {ctx.settings.max_keys_per_run}")
    names = dict(conn.execute(sa.select(keys.c.key_id, keys.c.name).where(keys.c.run_uid == uid)).all())
    rows_added, last_step, times = 0, row.last_step, None
    if "history" in layout:
        head_len, sections, steps, ts = layout["history"]
        change = np.ones(len(steps), dtype=bool)
        change[1:] = steps[1:] != steps[:-1]
        if last_step is not None and len(steps) and steps[0] == last_step:
            change[0] = False
        rows_added, last_step = int(change.sum()), int(steps[-1])
        times = (float(ts[0]), float(ts[-1]))
        conn.execute(sa.insert(blocks).values(
            run_uid=uid, first_seq=batch.first_seq, last_seq=batch.last_seq, object=obj, nrows=len(steps),
            step_min=int(steps.min()), step_max=int(steps.max()), ts_min=float(ts.min()), ts_max=float(ts.max()),
            head_off=0, head_len=head_len))
        bk_rows = []
        for s in sections:
            x = steps[s.rows]
            entry = {"run_uid": uid, "first_seq": batch.first_seq, "key_id": s.key_id, "kind": s.kind,
                     "count": len(s.rows), "off": s.off, "len": s.length,
                     "step_min": int(x.min()), "step_max": int(x.max()), "vmin": None, "vmax": None, "tiles": None}
            if s.kind != "o":
                v = np.asarray(s.values, dtype=np.float64)
                finite = v[~np.isnan(v)]
                if len(finite):
                    entry["vmin"], entry["vmax"] = float(finite.min()), float(finite.max())
                entry["tiles"] = encode_tiles(x, ts[s.rows], v)
            bk_rows.append(entry)
            _update_catalog(conn, uid, s, x)
        if bk_rows:
            conn.execute(sa.insert(block_keys), bk_rows)
    for kind in ("console", "system"):
        if kind in layout:
            off, length, count, first, last = layout[kind]
            conn.execute(sa.insert(streams).values(run_uid=uid, kind=kind, first_seq=first, last_seq=last,
                                                   count=count, object=obj, off=off, len=length))
    if batch.files:
        stmt = db.insert(conn, files)
        stmt = stmt.on_conflict_do_update(index_elements=["run_uid", "path"],
                                          set_={"sha256": stmt.excluded.sha256, "size": stmt.excluded.size})
        conn.execute(stmt, [{"run_uid": uid, "path": p, "sha256": sha, "size": size, "kind": kind}
                            for p, (sha, size, kind) in batch.files.items()])
    apply_run_state(conn, row, batch, names, rows_added, last_step, times)


def _update_catalog(conn: sa.Connection, uid: int, s, x: np.ndarray) -> None:
    cur = conn.execute(sa.select(keys).where(keys.c.run_uid == uid, keys.c.key_id == s.key_id)).first()
    if cur is None:  # a key id without its KeyDef (lost to damage): named as the reader names it
        conn.execute(sa.insert(keys).values(run_uid=uid, key_id=s.key_id, name=f"_key{s.key_id}"))
        cur = conn.execute(sa.select(keys).where(keys.c.run_uid == uid, keys.c.key_id == s.key_id)).one()
    count = cur.count + len(s.rows)  # type: ignore[operator]  # Row.count is the column, not tuple.count
    upd: dict[str, Any] = {"count": count, "last_step": int(x.max()),
                           "first_step": int(x.min()) if cur.first_step is None else min(cur.first_step, int(x.min()))}
    if s.kind == "o":
        t = value_type(s.values)
        upd["type"] = t if cur.type in ("", t) else "mixed"
    else:
        v = np.asarray(s.values, dtype=np.float64)
        upd["type"] = "number" if cur.type in ("", "number") else "mixed"
        finite = v[~np.isnan(v)]
        if len(finite):
            lo, hi, total = float(finite.min()), float(finite.max()), float(finite.sum())
            upd["vmin"] = lo if cur.vmin is None else min(cur.vmin, lo)
            upd["vmax"] = hi if cur.vmax is None else max(cur.vmax, hi)
            upd["vsum"] = total if cur.vsum is None else cur.vsum + total
            if cur.vfirst is None:
                upd["vfirst"] = float(finite[0])
            upd["vlast"] = float(finite[-1])
    conn.execute(sa.update(keys).where(keys.c.run_uid == uid, keys.c.key_id == s.key_id).values(**upd))
