"""What the browser tests run against: real runs, a real ``tidelog server``, Debian's chromium.

``Site``: a temporary server root, the runs logged by real training processes
(``examples/seed_tour.py`` and ``tests/ui/runs.py``) uploaded with
``tidelog.sync.upload.upload_run`` (what ``tidelog sync`` does), and
``tidelog server`` as a child process on a free 127.0.0.1 port, stopped by its
PID. ``Watch``: a page's console errors, page errors, failed responses and
every request that leaves the server's origin, asserted empty by the tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tidelog.read.run import RunState
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def log_run(*args: str, cwd: Path | None = None) -> None:
    """A training script in its own process (the way users log); fails loudly with its output."""
    r = subprocess.run([sys.executable, *args], cwd=cwd or REPO, capture_output=True, text=True, timeout=300,
                       check=False)
    if r.returncode != 0:
        raise RuntimeError(f"{args} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


def run_dirs(base: Path) -> dict[str, Path]:
    """``{name: run dir}`` of the runs under ``base`` (name falls back to the id)."""
    out = {}
    for d in sorted((base / "tidelog").glob("run-*")):
        st = RunState.load(d)
        out[st.name or st.run_id] = d
    return out


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(root: Path) -> Server:
    port = free_port()
    root.parent.mkdir(parents=True, exist_ok=True)
    log = root.parent / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tidelog", "server", "--root", str(root), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"tidelog server exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/api/v1/status", timeout=1) as r:
                r.read()
            return Server(url, proc, log)
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"tidelog server did not answer in 60 s: {log.read_text()[-2000:]}") from None
            time.sleep(0.05)


def upload(url: str, run_dir: Path):
    return upload_run(ServerClient(url), run_dir)


@dataclass
class Watch:
    """Everything on a page that must not happen."""

    origin: str
    errors: list[str] = field(default_factory=list)
    off_origin: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        page.on("request", self._request)

    def _request(self, req) -> None:
        u = req.url
        if not (u.startswith((self.origin + "/", "data:", "blob:")) or u == "about:blank"):
            self.off_origin.append(u)
