"""``tidelog server`` with no flags: binds 127.0.0.1:8080 and keeps its data under
``$XDG_DATA_HOME/tidelog/server`` (``~/.local/share/tidelog/server`` without it).
When 8080 is taken on this machine, the same defaults are checked with a free ``--port``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from . import infra


def _port_8080_free() -> bool:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 8080))
        return True
    except OSError:
        return False
    finally:
        s.close()


@pytest.mark.parametrize("xdg", [True, False], ids=["xdg-data-home", "home-only"])
def test_server_defaults(tmp_path, xdg):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("TIDELOG_SERVER_ROOT", "XDG_DATA_HOME", "TIDELOG_SERVER", "AWS_ENDPOINT_URL",
                        "AWS_ENDPOINT_URL_S3")}
    env["HOME"] = str(home)
    if xdg:
        env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    root = (tmp_path / "xdg" if xdg else home / ".local" / "share") / "tidelog" / "server"
    port = 8080 if _port_8080_free() else infra.free_port()
    extra = [] if port == 8080 else ["--port", str(port)]
    out = tmp_path / "server.out"
    with out.open("wb") as f:
        proc = subprocess.Popen([sys.executable, "-m", "tidelog", "server", *extra], stdout=f,
                                stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        infra._wait_http(f"http://127.0.0.1:{port}/api/v1/status", proc, 60, out)
        status = httpx.get(f"http://127.0.0.1:{port}/api/v1/status").json()
        assert status["server"] == "tidelog" and status["database"] == "sqlite"
        deadline = time.monotonic() + 10
        while f"http://127.0.0.1:{port}" not in out.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"tidelog server: http://127.0.0.1:{port} " in out.read_text(), out.read_text()
        with pytest.raises(OSError):  # bound to 127.0.0.1 only, not every address (127.0.0.2 is loopback too)
            socket.create_connection(("127.0.0.2", port), timeout=2).close()
        assert root.is_dir() and any(root.iterdir()), (root, list(tmp_path.rglob("*")))
        assert not (tmp_path / "srv").exists()
    finally:
        infra.stop(proc)
    assert proc.returncode is not None


def test_port_0_listens_on_a_free_port_and_prints_it_and_a_taken_port_is_named(tmp_path):
    out = tmp_path / "server.out"
    with out.open("wb") as f:
        proc = subprocess.Popen([sys.executable, "-m", "tidelog", "server", "--root", str(tmp_path / "srv"),
                                 "--port", "0"], stdout=f, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "tidelog server: http://127.0.0.1:" not in out.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, out.read_text()
            time.sleep(0.05)
        port = int(out.read_text().split("http://127.0.0.1:")[1].split()[0])
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/status").json()["server"] == "tidelog"
        taken = subprocess.run([sys.executable, "-m", "tidelog", "server", "--root", str(tmp_path / "other"),
                                "--port", str(port)], capture_output=True, text=True, timeout=60)
        assert taken.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in taken.stderr
    finally:
        infra.stop(proc)
