"""A small fault-injecting HTTP proxy on 127.0.0.1, in front of a real ``tidelog server``.

``FaultProxy(upstream)`` forwards each request and applies, in turn, the
faults queued for requests matching a method and path fragment:

* ``"503"``: answers 503 without forwarding (the server never saw it);
* ``"cut-body"``: reads half the request body, then closes the connection;
* ``"cut-answer"``: forwards the request (the server stores it), then closes
  the connection instead of answering (the answer is lost);
* ``"stall"``: forwards, then holds the answer ``stall_s`` (longer than the
  client's timeout), then closes.
``delay_s`` delays every answer (a slow-acknowledging server). ``seen``
counts requests per (method, fault or "ok").
"""

from __future__ import annotations

import collections
import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class FaultProxy:
    def __init__(self, upstream: str, delay_s: float = 0.0, stall_s: float = 3.0) -> None:
        self.upstream = urlsplit(upstream)
        self.delay_s = delay_s
        self.stall_s = stall_s
        self.faults: list[tuple[str, str, str]] = []   # (method, path fragment, fault)
        self.seen: collections.Counter = collections.Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, method: str, fragment: str, *faults: str) -> None:
        with self.lock:
            self.faults += [(method, fragment, f) for f in faults]

    def _take(self, method: str, path: str) -> str:
        with self.lock:
            for i, (m, frag, fault) in enumerate(self.faults):
                if m == method and frag in path:
                    del self.faults[i]
                    return fault
        return "ok"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        fault = self._take(h.command, h.path)
        self.seen[(h.command, fault)] += 1
        length = int(h.headers.get("Content-Length") or 0)
        if fault == "cut-body":
            h.rfile.read(length // 2)
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return
        body = h.rfile.read(length) if length else b""
        if fault == "503":
            data = b'{"error": "unavailable", "message": "injected by the test proxy"}'
            h.send_response(503)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            return
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection")}
        try:
            conn.request(h.command, h.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError:
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return
        finally:
            conn.close()
        if fault in ("cut-answer", "stall"):
            if fault == "stall":
                time.sleep(self.stall_s)
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return
        if self.delay_s:
            time.sleep(self.delay_s)
        h.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)
