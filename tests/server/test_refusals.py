"""Bad requests and auth: a 4xx with a JSON message, never a 500, and nothing stored changes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import httpx
import pytest

from tidelog.read.chunks import chunk_bytes
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run
from tidelog.wal.reader import WalReader

WAL = {"Content-Type": "application/x-tidelog-wal"}


def _chunks(run_dir):
    return [chunk_bytes(c) for c in WalReader(run_dir / "wal").chunks()]


def _state(server, run_id):
    detail = httpx.get(f"{server}/api/v1/runs/srv/{run_id}").json()
    rows = httpx.get(f"{server}/api/v1/runs/srv/{run_id}/history", params={"limit": 10000}).json()
    return detail.pop("updated_at"), detail, rows


def test_bad_requests_refused_with_nothing_changed(server, logged_run):
    run_dir = logged_run(lambda r: [r.log({"loss": float(i)}) for i in range(50)])
    res = upload_run(ServerClient(server), run_dir)
    _, before, rows_before = _state(server, res.run_id)
    api = f"{server}/api/v1"
    run = f"{api}/runs/srv/{res.run_id}"
    chunks = _chunks(run_dir)
    flipped = bytearray(chunks[0])
    flipped[-1] ^= 0xFF
    bad = [
        ("POST", f"{run}/wal", {"params": {"after": 0}, "content": bytes(flipped), "headers": WAL}, 400),
        ("POST", f"{run}/wal", {"params": {"after": 0}, "content": b"garbage" * 10, "headers": WAL}, 400),
        ("POST", f"{run}/wal", {"params": {"after": 0}, "content": chunks[0][:30], "headers": WAL}, 400),
        ("POST", f"{run}/wal", {"params": {"after": "x"}, "content": chunks[0], "headers": WAL}, 400),
        ("POST", f"{run}/wal", {"params": {"after": 10**6}, "content": chunks[0], "headers": WAL}, 409),
        ("POST", f"{run}/wal", {"params": {"after": 0}, "content": chunks[0],
                                "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", f"{api}/runs/srv/bad%20id/wal", {"params": {"after": 0}, "content": chunks[0], "headers": WAL}, 400),
        ("PUT", f"{api}/media/nothex", {"content": b"x"}, 400),
        ("PUT", f"{api}/media/{'0' * 64}", {"content": b"x"}, 400),  # hash mismatch
        ("GET", f"{api}/media/{'ab' * 32}", {}, 404),
        ("GET", f"{run}/files/../../etc/passwd", {}, 404),
        ("GET", f"{run}/files/a/%2E%2E/b", {}, 400),
        ("GET", f"{run}/files/a%5Cb", {}, 400),
        ("GET", f"{run}/files/nope.png", {}, 404),
        ("GET", f"{api}/runs/srv/unknownrun", {}, 404),
        ("GET", f"{api}/runs", {"params": {"filters": "{not json"}}, 400),
        ("GET", f"{api}/runs", {"params": {"filters": '{"config.lr": {"$bogus": 1}}'}}, 400),
        ("GET", f"{api}/runs", {"params": {"filters": '{"nofield": 1}'}}, 400),
        ("GET", f"{api}/runs", {"params": {"per_page": 0}}, 400),
        ("GET", f"{api}/runs", {"params": {"cursor": "zzz"}}, 400),
        ("GET", f"{run}/history/sampled", {"params": {"keys": "nokey"}}, 404),
        ("GET", f"{run}/history/sampled", {"params": {"keys": "loss", "buckets": 0}}, 400),
        ("GET", f"{run}/history/sampled", {"params": {"keys": "loss", "x_min": 5, "x_max": 1}}, 400),
        ("GET", f"{run}/history", {"params": {"limit": "many"}}, 400),
        ("PATCH", f"{run}/summary", {"content": b"[1,2"}, 400),
        ("PATCH", f"{run}/summary", {"json": {"set": [1]}}, 400),
        ("PATCH", f"{api}/runs/srv/unknownrun/summary", {"json": {"set": {"a": 1}}}, 404),
        ("DELETE", f"{run}", {}, 405),
    ]
    for method, url, kw, status in bad:
        resp = httpx.request(method, url, **kw)
        assert resp.status_code == status, (method, url, resp.status_code, resp.text)
        body = resp.json()
        assert body["error"] and body["message"], body
    huge = httpx.post(f"{run}/wal", params={"after": 0}, content=b"\0" * (65 << 20), headers=WAL)
    assert huge.status_code == 413 and huge.json()["error"] == "too_large"
    _, after, rows_after = _state(server, res.run_id)
    assert after == before and rows_after == rows_before


def test_repeated_and_overlapping_uploads_store_once(server, logged_run):
    run_dir = logged_run(lambda r: [r.log({"loss": float(i)}) for i in range(2000)])
    chunks = _chunks(run_dir)
    url = f"{server}/api/v1/runs/srv/{run_dir.name.rsplit('-', 1)[-1]}/wal"
    assert len(chunks) >= 2
    first = httpx.post(url, params={"after": 0}, content=chunks[0], headers=WAL).json()
    again = httpx.post(url, params={"after": 0}, content=b"".join(chunks), headers=WAL).json()
    assert again["duplicates"] == first["stored"] and again["stored"] > 0
    third = httpx.post(url, params={"after": 0}, content=b"".join(chunks), headers=WAL).json()
    assert third["stored"] == 0 and third["acked_seq"] == again["acked_seq"]
    rows = httpx.get(url.rsplit("/", 1)[0] + "/history", params={"limit": 10000}).json()["rows"]
    assert [r["loss"] for r in rows] == [float(i) for i in range(2000)]


def test_api_keys(server, backend, logged_run):
    args, env = backend
    root_args = [a for i, a in enumerate(args) if args[i - 1] in ("--root", "--database") or a in ("--root", "--database")]
    open_status = httpx.get(f"{server}/api/v1/status").json()
    assert open_status["auth"]["writes"] is False
    key = subprocess.run([sys.executable, "-m", "tidelog", "server", "keys", "create", *root_args, "--name", "ci"],
                         capture_output=True, text=True, check=True, env={**__import__("os").environ, **env}
                         ).stdout.strip()
    assert key.startswith("tl_")
    run_dir = logged_run(lambda r: r.log({"a": 1}))
    with pytest.raises(Exception) as err:
        upload_run(ServerClient(server, api_key=None), run_dir)
    assert getattr(err.value, "status", None) == 401
    with pytest.raises(Exception) as err:
        upload_run(ServerClient(server, api_key="tl_wrong"), run_dir)
    assert getattr(err.value, "status", None) == 401
    assert httpx.get(f"{server}/api/v1/runs").json()["total"] == 0  # nothing stored
    data = b"media bytes"
    sha = hashlib.sha256(data).hexdigest()
    assert httpx.put(f"{server}/api/v1/media/{sha}", content=data).status_code == 401
    res = upload_run(ServerClient(server, api_key=key), run_dir)
    assert res.records > 0
    assert httpx.get(f"{server}/api/v1/runs").json()["total"] == 1  # reads stay open without --auth-reads
