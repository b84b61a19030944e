"""A run's row: identity, config, summary and state, updated per batch.

The summary follows the library's rule (``read/run.py``, design.md section
3): for each key the last value logged to history, unless the user set it
(``SummaryUpdate`` records, or ``PATCH .../summary``); keys with
``define_metric(summary=...)`` get those aggregates, taken from the key
catalog (min, max, first, last, mean over the non-NaN values). The pieces
live in ``runs.meta`` so any instance can continue the fold.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from tidelog.server.fold import Batch
from tidelog.server.schema import keys, runs

__all__ = ["apply_run_state", "compute_summary", "patch_summary"]


def _metric_for(name: str, metrics: dict[str, dict]) -> dict | None:
    m = metrics.get(name)
    if m is not None:
        return m
    for pattern, m in metrics.items():
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            return m
    return None


_SYSTEM = ("_step", "_runtime", "_timestamp")


def compute_summary(meta: dict, catalog: dict[str, Any]) -> dict[str, Any]:
    """``catalog``: key name -> its ``keys`` row (min, max, sum, count, first, last).

    As the local reader's (``read/run.py``) and W&B's: the last row's ``_step``,
    ``_runtime`` and ``_timestamp`` as the logger wrote them, never a user's value.
    """
    metrics = meta.get("metrics", {})
    removed = set(meta.get("removed", []))
    out: dict[str, Any] = {}
    for name, value in meta.get("last", {}).items():
        if name in removed:
            continue
        m = _metric_for(name, metrics)
        if m is None or not m["summary"]:
            out[name] = value
            continue
        if "none" in m["summary"]:
            continue
        cat = catalog.get(name)
        if cat is None or cat.vmin is None:
            out[name] = value
            continue
        agg = {}
        for how in m["summary"]:
            if how == "min":
                agg["min"] = cat.vmin
            elif how == "max":
                agg["max"] = cat.vmax
            elif how == "mean" and cat.count:
                agg["mean"] = cat.vsum / cat.count
            elif how == "first":
                agg["first"] = cat.vfirst
            elif how == "last":
                agg["last"] = cat.vlast
            elif how == "best":
                agg["best"] = cat.vmax if m.get("goal") == "maximize" else cat.vmin
        out[name] = agg or value
    out.update(meta.get("user", {}))
    for name in _SYSTEM:
        out.pop(name, None)
    last_time, last_step = meta.get("last_time"), meta.get("last_step")
    if last_time is not None and last_step is not None:
        start = meta.get("start_time") or meta.get("first_time") or last_time
        out.update(_step=last_step, _runtime=last_time - start, _timestamp=last_time)
    return out


def _catalog(conn: sa.Connection, uid: int) -> dict[str, Any]:
    return {r.name: r for r in conn.execute(sa.select(keys).where(keys.c.run_uid == uid))}


def apply_run_state(conn: sa.Connection, row, batch: Batch, names: dict[int, str], rows_added: int,
                    last_step: int | None, times: tuple[float, float] | None = None) -> None:
    """``times``: the first and last row times of this batch's history, if it has any."""
    meta = dict(row.meta or {})
    if times is not None:
        meta.setdefault("first_time", times[0])
        meta["last_time"] = times[1]
    if last_step is not None:
        meta["last_step"] = last_step
    last = dict(meta.get("last", {}))
    user = dict(meta.get("user", {}))
    removed = set(meta.get("removed", []))
    metrics = dict(meta.get("metrics", {}))
    logged = {names.get(k, f"_key{k}"): v for k, v in batch.last_values.items()}
    last.update(logged)
    removed.difference_update(logged)  # logged again after a removal: the key is back
    for op, arg in batch.summary_ops:
        if op == "set":
            for k, v in arg.items():
                name = names.get(k, f"_key{k}")
                user[name] = v
                removed.discard(name)
        else:
            for k in arg:
                name = names.get(k, f"_key{k}")
                user.pop(name, None)
                removed.add(name)
    metrics.update(batch.metrics)
    meta.update(last=last, user=user, removed=sorted(removed), metrics=metrics)
    if batch.notices:
        meta["notices"] = (meta.get("notices", []) + batch.notices)[-100:]
    values: dict[str, Any] = {"rows": row.rows + rows_added, "last_step": last_step, "acked_seq": batch.last_seq,
                              "records": row.records + batch.records, "updated_at": time.time()}
    s = batch.start
    if s is not None:
        values.update(name=s.name, entity=s.entity, grp=s.group, job_type=s.job_type, notes=s.notes,
                      tags=list(s.tags))
        if s.start_time:
            values["created_at"] = s.start_time
        meta.update(host=s.host, program=s.program, args=list(s.args), python_version=s.python_version,
                    start_time=s.start_time)
    if batch.resumed:
        values.update(state="running", exit_code=None, end_time=None)
    if batch.exit is not None:
        e = batch.exit
        values.update(state=e.state or "finished", exit_code=e.exit_code, end_time=e.time or time.time())
        meta["traceback"] = e.traceback
    if batch.config_set or batch.config_remove:
        config = dict(row.config or {})
        for k in batch.config_remove:
            config.pop(k, None)
        config.update(batch.config_set)
        values["config"] = config
    values["meta"] = meta
    values["summary"] = compute_summary(meta, _catalog(conn, row.uid))
    conn.execute(sa.update(runs).where(runs.c.uid == row.uid).values(**values))


def patch_summary(conn: sa.Connection, row, set_: dict[str, Any], remove: list[str]) -> dict[str, Any]:
    """The after-the-fact summary update; returns the new summary."""
    meta = dict(row.meta or {})
    user = dict(meta.get("user", {}))
    removed = set(meta.get("removed", []))
    for k in remove:
        user.pop(k, None)
        removed.add(k)
    for k, v in set_.items():
        user[k] = v
        removed.discard(k)
    meta.update(user=user, removed=sorted(removed))
    summary = compute_summary(meta, _catalog(conn, row.uid))
    conn.execute(sa.update(runs).where(runs.c.uid == row.uid).values(meta=meta, summary=summary,
                                                                      updated_at=time.time()))
    return summary
