"""Write routes: WAL ingest, media upload, the summary update (docs/server-api.md)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidelog.server import blobs, ingest, runend
from tidelog.server.app import ctx_of, guard, json_response, read_body, read_json
from tidelog.server.errors import ApiError
from tidelog.server.queries import get_run_row
from tidelog.server.runstate import patch_summary

__all__ = ["ROUTES"]


def _int_param(request: Request, name: str, default: int | None = None, lo: int = 0, hi: int = 2**63 - 1) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        if default is None:
            raise ApiError(400, f"query parameter {name!r} is required")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name}={raw[:40]!r} is not an integer") from None
    if not lo <= value <= hi:
        raise ApiError(400, f"query parameter {name}={value} is out of range {lo}..{hi}")
    return value


async def wal_post(request: Request) -> Response:
    await guard(request, write=True)
    ctx = ctx_of(request)
    project, run_id = request.path_params["project"], request.path_params["run_id"]
    ingest.check_name(project, "project")
    ingest.check_name(run_id, "run id")
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    if ctype != "application/x-tidelog-wal":
        raise ApiError(415, f"Content-Type {ctype!r}: send WAL chunks as application/x-tidelog-wal")
    after = _int_param(request, "after")
    body = await read_body(request, ctx.settings.max_wal_body)
    return json_response(await run_in_threadpool(ingest.ingest, ctx, project, run_id, after, body))


async def wal_get(request: Request) -> Response:
    await guard(request, write=False)
    project, run_id = request.path_params["project"], request.path_params["run_id"]
    ingest.check_name(project, "project")
    ingest.check_name(run_id, "run id")
    return json_response(await run_in_threadpool(ingest.acked, ctx_of(request).engine, project, run_id))


async def media_put(request: Request) -> Response:
    await guard(request, write=True)
    ctx = ctx_of(request)
    sha = blobs.check_hash(request.path_params["sha"])
    body = await read_body(request, ctx.settings.max_media_body)
    return json_response(await run_in_threadpool(blobs.put, ctx, sha, body))


async def media_missing(request: Request) -> Response:
    await guard(request, write=False)
    data = await read_json(request)
    if not isinstance(data, dict) or not isinstance(data.get("hashes"), list):
        raise ApiError(400, 'the body must be {"hashes": [<sha256>, ...]}')
    if len(data["hashes"]) > 10_000:
        raise ApiError(400, f"hashes: {len(data['hashes'])} hashes, at most 10000 per call")

    def run() -> list[str]:
        with ctx_of(request).engine.connect() as conn:
            return blobs.missing(conn, data["hashes"])

    return json_response({"missing": await run_in_threadpool(run)})


async def summary_patch(request: Request) -> Response:
    await guard(request, write=True)
    ctx = ctx_of(request)
    project, run_id = request.path_params["project"], request.path_params["run_id"]
    data = await read_json(request)
    if not isinstance(data, dict) or set(data) - {"set", "remove"}:
        raise ApiError(400, 'the body must be {"set": {...}, "remove": [...]}')
    set_, remove = data.get("set", {}), data.get("remove", [])
    if not isinstance(set_, dict):
        raise ApiError(400, "set must be an object of key: value")
    if not isinstance(remove, list) or not all(isinstance(k, str) for k in remove):
        raise ApiError(400, "remove must be a list of key names")
    for k in list(set_) + remove:
        if not k or len(k) > ctx.settings.max_key_len:
            raise ApiError(400, f"summary key {k[:80]!r} is empty or longer than {ctx.settings.max_key_len}")

    def run() -> dict:
        from tidelog.server import db

        with ctx.engine.connect() as conn:
            with db.begin_write(conn):
                row = get_run_row(conn, project, run_id)
                row = db.lock_run(conn, row.uid)
                return {"summary": patch_summary(conn, row, set_, remove)}

    return json_response(await run_in_threadpool(run))


_RUN = "/runs/{project}/{run_id}"
ROUTES = [
    Route(_RUN + "/wal", wal_post, methods=["POST"]),
    Route(_RUN + "/wal", wal_get, methods=["GET"]),
    Route("/media/missing", media_missing, methods=["POST"]),
    Route("/media/{sha}", media_put, methods=["PUT"]),
    Route(_RUN + "/summary", summary_patch, methods=["PATCH"]),
    Route(_RUN + "/wal/end", runend.wal_end, methods=["PUT"]),
]
