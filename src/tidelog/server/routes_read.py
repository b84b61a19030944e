"""Read routes: projects, runs, one run, history (paged, streamed, sampled),
system metrics, console, files and media (docs/server-api.md)."""

from __future__ import annotations

import functools
import json

import numpy as np
import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tidelog.server import blobs, queries, rows, sampling
from tidelog.server.app import ctx_of, guard, json_response
from tidelog.server.errors import ApiError
from tidelog.server.jsonio import dumps
from tidelog.server.routes_write import _int_param
from tidelog.server.schema import streams

__all__ = ["ROUTES"]


def _float_param(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        v = float(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name}={raw[:40]!r} is not a number") from None
    if not np.isfinite(v):
        raise ApiError(400, f"query parameter {name} must be finite")
    return v


def _keys_param(request: Request) -> list[str] | None:
    raw = request.query_params.getlist("keys")
    if not raw:
        return None
    names = [k for part in raw for k in part.split(",") if k]
    return names or None


def _run_path(request: Request) -> tuple[str, str]:
    return request.path_params["project"], request.path_params["run_id"]


async def _read(request: Request, fn, *args) -> Response:
    ctx = ctx_of(request)

    def run():
        with ctx.engine.connect() as conn:
            return fn(conn, *args)

    return json_response(await run_in_threadpool(run))


async def projects(request: Request) -> Response:
    return await _read(request, queries.projects)


async def runs_list(request: Request) -> Response:
    ctx = ctx_of(request)
    q = request.query_params
    per_page = _int_param(request, "per_page", 50, 1, ctx.settings.max_runs_page)
    return await _read(request, queries.list_runs, q.get("project"), q.get("filters"), q.get("order") or "-created_at",
                       per_page, q.get("cursor"))


async def run_detail(request: Request) -> Response:
    return await _read(request, queries.run_detail, *_run_path(request))


def _history_args(request: Request, conn):
    project, run_id = _run_path(request)
    row = queries.get_run_row(conn, project, run_id)
    wanted = _keys_param(request)
    names = rows.resolve_keys(conn, row.uid, wanted)
    start = (row.meta or {}).get("start_time") or None
    return row, names, start, wanted is not None


async def history_page(request: Request) -> Response:
    ctx = ctx_of(request)
    limit = _int_param(request, "limit", 1000, 1, ctx.settings.max_page_rows)
    lo = _int_param(request, "min_step", 0, -(2**63), 2**63 - 1) if "min_step" in request.query_params else None
    hi = _int_param(request, "max_step", 0, -(2**63), 2**63 - 1) if "max_step" in request.query_params else None

    def fn(conn):
        row, names, start, only = _history_args(request, conn)
        return rows.page(rows.iter_rows(conn, ctx.store, row.uid, start, names, only, lo, hi), limit)

    return await _read(request, fn)


async def history_stream(request: Request) -> Response:
    ctx = ctx_of(request)
    lo = _int_param(request, "min_step", 0, -(2**63), 2**63 - 1) if "min_step" in request.query_params else None
    hi = _int_param(request, "max_step", 0, -(2**63), 2**63 - 1) if "max_step" in request.query_params else None

    def prepare():
        with ctx.engine.connect() as conn:
            return _history_args(request, conn)

    row, names, start, only = await run_in_threadpool(prepare)  # 404s before the stream starts

    def lines():
        with ctx.engine.connect() as conn:
            batch = []
            for r in rows.iter_rows(conn, ctx.store, row.uid, start, names, only, lo, hi):
                batch.append(dumps(r))
                if len(batch) == 1000:
                    yield "\n".join(batch) + "\n"
                    batch = []
            if batch:
                yield "\n".join(batch) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def history_sampled(request: Request) -> Response:
    ctx = ctx_of(request)
    names = _keys_param(request)
    if not names:
        raise ApiError(400, "query parameter 'keys' is required (comma-separated key names)")
    if len(names) > 100:
        raise ApiError(400, f"keys: {len(names)} keys, at most 100 per request")
    buckets = _int_param(request, "buckets", 500, -(2**31), 2**31)
    x_min, x_max = _float_param(request, "x_min"), _float_param(request, "x_max")
    sampling.check_params(buckets, ctx.settings.max_buckets, x_min, x_max)
    x_axis = request.query_params.get("x_axis") or "_step"

    def fn(conn):
        row = queries.get_run_row(conn, *_run_path(request))
        return sampling.sample(conn, ctx.store, row, names, x_axis, buckets, x_min, x_max)

    return await _read(request, fn)


def _stream_items(conn, store, uid: int, kind: str, after: int = 0, limit: int | None = None):
    q = (sa.select(streams).where(streams.c.run_uid == uid, streams.c.kind == kind, streams.c.last_seq > after)
         .order_by(streams.c.first_seq))
    from tidelog.server.blocks import _unzstd

    for s in conn.execute(q):
        data = store.get_ranges(s.object, [(s.off, s.len)])[0]
        for item in json.loads(_unzstd(data)):
            if item[0] > after:
                yield item


async def system(request: Request) -> Response:
    ctx = ctx_of(request)
    wanted = _keys_param(request)

    def fn(conn):
        row = queries.get_run_row(conn, *_run_path(request))
        series: dict[str, dict] = {}
        for _seq, t, stats in _stream_items(conn, ctx.store, row.uid, "system"):
            for k, v in stats.items():
                if wanted is None or k in wanted:
                    s = series.setdefault(k, {"t": [], "v": []})
                    s["t"].append(t)
                    s["v"].append(v)
        return {"keys": sorted(series), "series": {k: series[k] for k in sorted(series)}}

    return await _read(request, fn)


async def console(request: Request) -> Response:
    ctx = ctx_of(request)
    after = _int_param(request, "after_seq", 0)
    limit = _int_param(request, "limit", 1000, 1, ctx.settings.max_page_rows)

    def fn(conn):
        row = queries.get_run_row(conn, *_run_path(request))
        out: list[dict] = []
        more = False
        for seq, stream, t, text in _stream_items(conn, ctx.store, row.uid, "console", after):
            if len(out) == limit:
                more = True
                break
            out.append({"seq": seq, "stream": stream, "t": t, "text": text})
        return {"lines": out, "next_after_seq": out[-1]["seq"] if more else None}

    return await _read(request, fn)


async def files_list(request: Request) -> Response:
    return await _read(request, queries.run_files, *_run_path(request))


async def file_get(request: Request) -> Response:
    ctx = ctx_of(request)
    path = blobs.check_path(request.path_params["path"])

    def fn():
        with ctx.engine.connect() as conn:
            f = queries.find_file(conn, *_run_path(request), path)
            if blobs.stored_size(conn, f.sha256) is None:
                raise ApiError(404, f"the bytes of {path!r} have not been uploaded to this server yet")
        return ctx.store.get(blobs.object_name(f.sha256))

    data = await run_in_threadpool(fn)
    return Response(data, headers=blobs.file_headers(path))


async def media_head(request: Request) -> Response:
    ctx = ctx_of(request)
    sha = blobs.check_hash(request.path_params["sha"])

    def fn():
        with ctx.engine.connect() as conn:
            return blobs.stored_size(conn, sha)

    size = await run_in_threadpool(fn)
    if size is None:
        raise ApiError(404, f"no media {sha}")
    return Response(b"", headers={"Content-Length": str(size)} if request.method == "HEAD" else None)


async def media_get(request: Request) -> Response:
    ctx = ctx_of(request)
    sha = blobs.check_hash(request.path_params["sha"])
    if request.method == "HEAD":
        return await media_head(request)

    def fn():
        with ctx.engine.connect() as conn:
            if blobs.stored_size(conn, sha) is None:
                raise ApiError(404, f"no media {sha}")
        return ctx.store.get(blobs.object_name(sha))

    data = await run_in_threadpool(fn)
    return Response(data, media_type="application/octet-stream", headers={
        "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})


def _guarded(endpoint):
    """``endpoint`` behind the read check, which runs first: without a valid key
    (under ``--auth-reads``) every read is a 401, before any parameter is looked at."""

    @functools.wraps(endpoint)
    async def checked(request: Request) -> Response:
        await guard(request, write=False)
        return await endpoint(request)

    return checked


_RUN = "/runs/{project}/{run_id}"
ROUTES = [Route(path, _guarded(endpoint), methods=methods) for path, endpoint, methods in (
    ("/projects", projects, None),
    ("/runs", runs_list, None),
    (_RUN, run_detail, None),
    (_RUN + "/history", history_page, None),
    (_RUN + "/history/stream", history_stream, None),
    (_RUN + "/history/sampled", history_sampled, None),
    (_RUN + "/system", system, None),
    (_RUN + "/console", console, None),
    (_RUN + "/files", files_list, None),
    (_RUN + "/files/{path:path}", file_get, None),
    ("/media/{sha}", media_get, ["GET", "HEAD"]),
)]
