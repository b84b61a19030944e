"""Starlette routes that serve the built web UI next to ``/api/v1``.

``ui_routes()`` answers ``/assets/...`` from ``STATIC_DIR/assets`` and every
other GET outside ``/api/`` with ``index.html`` (the single page reads its view
from the URL: ``/``, ``/<project>``, ``/<project>/runs/<run_id>``). An unknown
``/api/...`` path stays a JSON 404. The page carries a Content-Security-Policy
that allows requests to the server's own origin only, so nothing the UI (or a
logged chart spec) does can reach another host. Content-hashed chunks are
cached for a year; ``index.html`` and the entry files are revalidated, so an
upgraded server is picked up at the next load.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tidelog.webui import STATIC_DIR, index_html

__all__ = ["CSP", "ui_routes"]

#: Same-origin only. 'unsafe-eval': Vega compiles chart expressions with Function();
#: inline styles: uPlot, Plotly and three.js size elements through style attributes.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self' data: blob:; "
       "worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")

_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


class _Assets(StaticFiles):
    """The built assets; chunks are content-hashed, so they never change under a name."""

    async def get_response(self, path: str, scope) -> Response:
        resp = await super().get_response(path, scope)
        immutable = path.startswith("chunks/")
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp


async def _page(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "not_found", "message": f"no API route {request.url.path}"}, status_code=404)
    page = index_html()
    if not page.is_file():
        return JSONResponse({"error": "not_found", "message": "the web UI is not built (npm run build in ui/)"},
                            status_code=404)
    return FileResponse(page, media_type="text/html", headers={**_HEADERS, "Cache-Control": "no-cache"})


def ui_routes() -> list:
    """Routes to add after the API's: the assets, then the page for every other path."""
    return [Mount("/assets", app=_Assets(directory=STATIC_DIR / "assets", check_dir=False), name="assets"),
            Route("/{path:path}", _page, methods=["GET", "HEAD"])]
