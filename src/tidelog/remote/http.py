"""The HTTP client of a tidelog server: base URL, API key, errors translated.

``ServerClient(url, api_key)``: ``get/post/put/patch/head`` return the
``httpx.Response`` of a 2xx answer and raise ``ServerError`` (with the
server's status, code and message) for anything else, and for connection
errors and timeouts (status 0). ``stream_lines`` iterates an NDJSON answer.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from typing import Any

import httpx

from tidelog import settings
from tidelog.errors import ServerError

__all__ = ["ServerClient"]


class ServerClient:
    def __init__(self, url: str | None = None, api_key: str | None = None, timeout: float | None = None) -> None:
        url = settings.server_url(url)
        if not url:
            raise ServerError("no server named: pass server=URL or set TIDELOG_SERVER")
        if "://" not in url:
            url = "http://" + url
        self.url = url.rstrip("/")
        self.api_key = settings.api_key(api_key)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        self._http = httpx.Client(base_url=self.url + "/api/v1", headers=headers,
                                  timeout=httpx.Timeout(timeout or 60.0, connect=10.0))
        # W&B users never close an Api: its connections close when it is collected.
        self._closer = weakref.finalize(self, self._http.close)

    def close(self) -> None:
        self._closer()

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            resp = self._http.request(method, path, **kw)
        except httpx.HTTPError as err:
            raise ServerError(f"{method} {self.url}/api/v1{path}: {type(err).__name__}: {err}") from None
        if resp.status_code >= 400:
            _raise(resp, method, path, self.url)
        return resp

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def exists(self, path: str) -> bool:
        try:
            resp = self._http.head(path)
        except httpx.HTTPError as err:
            raise ServerError(f"HEAD {self.url}/api/v1{path}: {type(err).__name__}: {err}") from None
        if resp.status_code == 404:
            return False
        if resp.status_code >= 400:
            _raise(resp, "HEAD", path, self.url)
        return True

    def stream_lines(self, path: str, params: dict | None = None) -> Iterator[dict]:
        try:
            with self._http.stream("GET", path, params=params) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    _raise(resp, "GET", path, self.url)
                for line in resp.iter_lines():
                    if line:
                        yield json.loads(line)
        except httpx.HTTPError as err:
            raise ServerError(f"GET {self.url}/api/v1{path}: {type(err).__name__}: {err}") from None


def _raise(resp: httpx.Response, method: str, path: str, url: str) -> None:
    try:
        body = resp.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = body.get("message") or resp.text[:200] or resp.reason_phrase
    raise ServerError(f"{url}: {method} {path}: {resp.status_code} {message}", status=resp.status_code,
                      code=body.get("error", ""), body=body)
