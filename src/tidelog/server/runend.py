"""``PUT /api/v1/runs/{project}/{run_id}/wal/end``: what a client states that the WAL cannot say.

A run whose trainer and sender both died has no exit record, and a WAL with
damaged bytes in the middle has records the server will never receive. The
client that uploaded everything it could read states both (docs/server-api.md,
"The end of a run's WAL"): ``{"acked_seq": N, "state": "crashed" | null,
"damage": [{"segment", "offset", "length", "reason"}, ...]}``.

Under the run's lock: ``acked_seq`` must be the run's position (else 409 with
the real one: upload first); ``state: "crashed"`` is applied only to a run
still ``running`` (an exit record always wins); ``damage`` replaces the
run's damage list. Repeating the request changes nothing.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidelog.server import db
from tidelog.server.app import ctx_of, guard, json_response, read_json
from tidelog.server.errors import ApiError
from tidelog.server.ingest import check_name
from tidelog.server.queries import get_run_row
from tidelog.server.schema import runs

__all__ = ["wal_end"]

_DAMAGE_FIELDS = {"segment": str, "offset": int, "length": int, "reason": str}


def _check(data) -> tuple[int, str | None, list[dict]]:
    if not isinstance(data, dict) or set(data) - {"acked_seq", "state", "damage"}:
        raise ApiError(400, 'the body must be {"acked_seq": N, "state": "crashed" or null, "damage": [...]}')
    acked = data.get("acked_seq")
    if not isinstance(acked, int) or isinstance(acked, bool) or acked < 0:
        raise ApiError(400, "acked_seq must be a non-negative integer")
    state = data.get("state")
    if state not in (None, "crashed"):
        raise ApiError(400, f"state must be \"crashed\" or null, not {str(state)[:40]!r}")
    damage = data.get("damage", [])
    if not isinstance(damage, list) or len(damage) > 10_000:
        raise ApiError(400, "damage must be a list (at most 10000 entries)")
    for d in damage:
        if not isinstance(d, dict) or set(d) != set(_DAMAGE_FIELDS) or not all(
                isinstance(d[k], t) for k, t in _DAMAGE_FIELDS.items()):
            raise ApiError(400, 'each damage entry must be {"segment": str, "offset": int, "length": int, '
                                '"reason": str}')
    return acked, state, damage


def _apply(ctx, project: str, run_id: str, acked: int, state: str | None, damage: list[dict]) -> dict:
    with ctx.engine.connect() as conn, db.begin_write(conn):
        row = db.lock_run(conn, get_run_row(conn, project, run_id).uid)
        if row.acked_seq != acked:
            raise ApiError(409, f"acked_seq={acked} but the server holds this run up to seq {row.acked_seq}; "
                                f"upload up to the end first", acked_seq=row.acked_seq)
        values: dict = {}
        meta = dict(row.meta or {})
        if meta.get("damage", []) != damage:
            meta["damage"] = damage
            values["meta"] = meta
        if state == "crashed" and row.state == "running":
            values.update(state="crashed", end_time=time.time())
        if values:
            values["updated_at"] = time.time()
            conn.execute(sa.update(runs).where(runs.c.uid == row.uid).values(**values))
        new_state = values.get("state", row.state)
    return {"acked_seq": acked, "state": new_state, "damage": damage}


async def wal_end(request: Request) -> Response:
    await guard(request, write=True)
    project, run_id = request.path_params["project"], request.path_params["run_id"]
    check_name(project, "project")
    check_name(run_id, "run id")
    acked, state, damage = _check(await read_json(request))
    return json_response(await run_in_threadpool(_apply, ctx_of(request), project, run_id, acked, state, damage))
