"""The read path for runs: projects, the filtered runs list, one run, its files.

Every function takes a connection and returns JSON-ready dicts shaped as
``docs/server-api.md`` shows. An unknown run raises ``ApiError(404)``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import sqlalchemy as sa

from tidelog.server.errors import ApiError
from tidelog.server.filters import order_clause, to_clause
from tidelog.server.schema import files, keys, media, runs, streams

__all__ = ["projects", "list_runs", "get_run_row", "run_detail", "run_files", "find_file"]


def projects(conn: sa.Connection) -> dict:
    q = sa.select(runs.c.project, sa.func.count(), sa.func.max(runs.c.updated_at)).group_by(runs.c.project)
    return {"projects": [{"name": p, "runs": n, "last_updated": t}
                         for p, n, t in conn.execute(q.order_by(runs.c.project))]}


def _entry(r) -> dict[str, Any]:
    end = r.end_time if r.end_time is not None else r.updated_at
    return {"project": r.project, "id": r.run_id, "name": r.name or r.run_id, "entity": r.entity,
            "state": r.state, "exit_code": r.exit_code, "tags": list(r.tags or []), "group": r.grp,
            "job_type": r.job_type, "notes": r.notes, "created_at": r.created_at, "updated_at": r.updated_at,
            "duration": max(0.0, end - r.created_at), "host": (r.meta or {}).get("host", ""),
            "last_step": r.last_step, "rows": r.rows, "config": r.config or {}, "summary": r.summary or {}}


def _cursor(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        if text.startswith("o=") and text[2:].isdigit():
            return int(text[2:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(400, f"cursor {raw[:40]!r} is not one this server gave")


def list_runs(conn: sa.Connection, project: str | None, filters: str | None, order: str, per_page: int,
              cursor: str | None) -> dict:
    dialect = conn.dialect.name
    where: list[Any] = [sa.true()]
    if project:
        where.append(runs.c.project == project)
    if filters:
        try:
            parsed = json.loads(filters)
        except ValueError as err:
            raise ApiError(400, f"filters is not JSON: {err}") from None
        where.append(to_clause(parsed, dialect))
    offset = _cursor(cursor)
    cond = sa.and_(*where)
    total = conn.execute(sa.select(sa.func.count()).select_from(runs).where(cond)).scalar_one()
    q = sa.select(runs).where(cond).order_by(*order_clause(order, dialect)).offset(offset).limit(per_page)
    rows = conn.execute(q).all()
    nxt = offset + len(rows)
    token = base64.urlsafe_b64encode(f"o={nxt}".encode()).decode().rstrip("=") if nxt < total else None
    return {"runs": [_entry(r) for r in rows], "total": total, "next": token}


def get_run_row(conn: sa.Connection, project: str, run_id: str):
    row = conn.execute(sa.select(runs).where(runs.c.project == project, runs.c.run_id == run_id)).first()
    if row is None:
        raise ApiError(404, f"no run {project}/{run_id}")
    return row


def run_detail(conn: sa.Connection, project: str, run_id: str) -> dict:
    r = get_run_row(conn, project, run_id)
    meta = r.meta or {}
    out = _entry(r)
    out.update(traceback=meta.get("traceback", ""), program=meta.get("program", ""), args=meta.get("args", []),
               python_version=meta.get("python_version", ""), acked_seq=r.acked_seq,
               metrics=list(meta.get("metrics", {}).values()), notices=meta.get("notices", []),
               damage=meta.get("damage", []))
    cat = conn.execute(sa.select(keys).where(keys.c.run_uid == r.uid).order_by(keys.c.name)).all()
    out["keys"] = [{"name": k.name, "type": k.type or "number", "count": k.count, "first_step": k.first_step,
                    "last_step": k.last_step, "min": k.vmin, "max": k.vmax, "last": k.vlast}
                   for k in cat if k.count]  # type: ignore[truthy-function]  # Row.count is the column, not tuple.count
    counts = dict(conn.execute(sa.select(streams.c.kind, sa.func.sum(streams.c.count))
                               .where(streams.c.run_uid == r.uid).group_by(streams.c.kind)).all())
    out["streams"] = {"console": int(counts.get("console") or 0), "system": int(counts.get("system") or 0)}
    return out


def run_files(conn: sa.Connection, project: str, run_id: str) -> dict:
    r = get_run_row(conn, project, run_id)
    q = (sa.select(files, media.c.sha256.label("stored"))
         .join(media, media.c.sha256 == files.c.sha256, isouter=True)
         .where(files.c.run_uid == r.uid).order_by(files.c.path))
    return {"files": [{"path": f.path, "sha256": f.sha256, "size": f.size, "kind": f.kind,
                       "stored": f.stored is not None} for f in conn.execute(q)]}


def find_file(conn: sa.Connection, project: str, run_id: str, path: str):
    r = get_run_row(conn, project, run_id)
    f = conn.execute(sa.select(files).where(files.c.run_uid == r.uid, files.c.path == path)).first()
    if f is None:
        raise ApiError(404, f"run {project}/{run_id} has no file {path!r}")
    return f
