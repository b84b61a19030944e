"""The built UI as the server serves it: the page for every UI route, assets, headers (no browser needed)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from starlette.applications import Starlette

from tidelog.webui import STATIC_DIR
from tidelog.webui.serve import ui_routes


class _Client:
    """GETs through the ASGI app in process (starlette's TestClient warns about its httpx use)."""

    def __init__(self) -> None:
        self.app = Starlette(routes=ui_routes())

    def get(self, path: str) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://ui") as c:
                r = await c.get(path)
                await r.aread()
                return r

        # its own thread: a session's Playwright may already run an event loop in this one
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, go()).result()


def _client() -> _Client:
    return _Client()


def test_every_ui_route_answers_the_page_with_a_same_origin_policy():
    c = _client()
    for path in ("/", "/seed-tour", "/seed-tour/runs/abc123", "/seed-tour?sel=a,b&x=epoch"):
        r = c.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert '<script type="module" src="/assets/main.js">' in r.text
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self' data: blob:" in csp
        assert "http" not in csp  # no other origin is allowed anything


def test_unknown_api_paths_stay_json_404():
    r = _client().get("/api/v2/whatever")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_assets_are_served_and_chunks_cached_for_good():
    c = _client()
    main = c.get("/assets/main.js")
    assert main.status_code == 200 and main.headers["cache-control"] == "no-cache"
    chunks = sorted(set(re.findall(r"chunks/[\w-]+\.js", main.text)))
    assert chunks, "main.js loads no chunk: the viewers were not split off"
    for name in chunks:
        r = c.get(f"/assets/{name}")
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"], name
    assert c.get("/assets/main.css").status_code == 200
    assert c.get("/assets/nope.js").status_code == 404


def test_built_files_name_no_other_origin_in_what_they_load():
    # Full URLs appear in the bundles as text (licences, docs links, schema ids); what matters is
    # that nothing is *loaded* from them, which the browser tests check. Here: the page itself.
    html = (STATIC_DIR / "index.html").read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
