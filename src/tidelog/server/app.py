"""The Starlette application: context, errors as JSON, body limits, auth.

``create_app(settings)`` connects the database (migrating it under a lock),
opens the object store and mounts the routes of ``routes_write`` and
``routes_read`` under ``/api/v1``. Every error is JSON (``ApiError`` with its
status; the database or store unreachable: 503; an unknown route: 404); a
handler bug is logged and answered as a JSON 500 without a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tidelog._version import __version__
from tidelog.server import db
from tidelog.server.auth import check_request, keys_exist
from tidelog.server.errors import CODES, ApiError
from tidelog.server.jsonio import dumps
from tidelog.server.settings import ServerSettings
from tidelog.server.store import ObjectStore, StoreUnavailable, open_store

__all__ = ["Context", "create_app", "json_response", "read_body", "guard", "ctx_of"]

log = logging.getLogger("tidelog.server")


@dataclass
class Context:
    settings: ServerSettings
    engine: sa.Engine
    store: ObjectStore


def json_response(content, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(content), status_code=status, media_type="application/json", headers=headers)


def ctx_of(request: Request) -> Context:
    return request.app.state.ctx


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (before reading it when Content-Length says so)."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ApiError(400, f"Content-Length {length[:40]!r} is not a number")
        if int(length) > limit:
            raise ApiError(413, f"the body is {int(length)} bytes, over the limit of {limit}")
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the body is over the limit of {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


async def read_json(request: Request) -> object:
    import json

    body = await read_body(request, ctx_of(request).settings.max_json_body)
    try:
        return json.loads(body)
    except ValueError as err:
        raise ApiError(400, f"the body is not JSON: {err}") from None


async def guard(request: Request, write: bool) -> None:
    ctx = ctx_of(request)

    def check() -> None:
        with ctx.engine.connect() as conn:
            check_request(conn, request.headers.get("authorization"), write, ctx.settings.auth_reads)

    await run_in_threadpool(check)


async def _api_error(request: Request, exc: ApiError) -> Response:
    return json_response(exc.body(), exc.status)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return json_response({"error": CODES.get(exc.status_code, "error"), "message": str(exc.detail)},
                         exc.status_code, headers=getattr(exc, "headers", None))


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("backend unavailable: %s", exc)
    return json_response({"error": "unavailable", "message": f"storage unavailable: {exc}"[:500]}, 503)


async def _bug(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return json_response({"error": "internal", "message": f"internal error: {type(exc).__name__}"}, 500)


async def status(request: Request) -> Response:
    ctx = ctx_of(request)

    def info() -> dict:
        with ctx.engine.connect() as conn:
            writes = keys_exist(conn)
        return {"server": "tidelog", "version": __version__, "api": 1,
                "auth": {"writes": writes, "reads": writes and ctx.settings.auth_reads},
                "database": ctx.engine.dialect.name, "store": ctx.store.kind}

    return json_response(await run_in_threadpool(info))


async def auth_check(request: Request) -> Response:
    await guard(request, write=True)
    return json_response({"ok": True, "writes": True, "reads": True})


def create_app(settings: ServerSettings) -> Starlette:
    from starlette.routing import Mount, Route

    from tidelog.server import routes_read, routes_write

    engine = db.connect(settings.database)
    db.migrate(engine)
    ctx = Context(settings=settings, engine=engine, store=open_store(settings.store))
    routes = [Route("/status", status), Route("/auth/check", auth_check)]
    routes += routes_write.ROUTES + routes_read.ROUTES
    from tidelog.webui.serve import ui_routes  # the web UI at / (its own module)

    app = Starlette(routes=[Mount("/api/v1", routes=routes), *ui_routes()], exception_handlers={
        # Starlette types every handler as taking Exception; each here takes the subclass it is registered for.
        ApiError: _api_error, HTTPException: _http_error, StoreUnavailable: _unavailable,  # type: ignore[dict-item]  # see the line above
        sa.exc.OperationalError: _unavailable, sa.exc.InterfaceError: _unavailable, Exception: _bug})
    app.state.ctx = ctx
    return app
