"""``--auth-reads``: once a key exists, every read under /api/v1 needs it (401 + JSON message without);
the status route and the static UI page stay open."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import numpy as np

import tidelog
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run

from . import infra


def test_auth_reads_guards_every_read(backend, logged_run, tmp_path):
    args, env = backend
    root_args = [a for i, a in enumerate(args) if args[i - 1] in ("--root", "--database") or a in ("--root", "--database")]
    key = subprocess.run([sys.executable, "-m", "tidelog", "server", "keys", "create", *root_args, "--name", "r"],
                         capture_output=True, text=True, check=True, env={**os.environ, **env}).stdout.strip()
    run_dir = logged_run(lambda r: [r.log({"loss": 1.0 / (i + 1)}) for i in range(5)]
                         + [r.log({"img": tidelog.Image(np.zeros((4, 4, 3), dtype=np.uint8))})])
    with infra.server([*args, "--auth-reads"], env, tmp_path) as url:
        res = upload_run(ServerClient(url, api_key=key), run_dir)
        auth = {"Authorization": f"Bearer {key}"}
        run = f"{url}/api/v1/runs/srv/{res.run_id}"
        listing = httpx.get(f"{run}/files", headers=auth).json()["files"]
        media = [f for f in listing if f["kind"] == "media"]
        assert media, listing
        path, sha = media[0]["path"], media[0]["sha256"]
        reads = [f"{url}/api/v1/projects", f"{url}/api/v1/runs", f"{url}/api/v1/runs?per_page=5", run,
                 f"{run}/history", f"{run}/history?limit=2", f"{run}/history/stream",
                 f"{run}/history/sampled?keys=loss", f"{run}/history/sampled", f"{run}/system", f"{run}/console",
                 f"{run}/files", f"{run}/files/{path}", f"{url}/api/v1/media/{sha}"]
        for u in reads:
            for headers in ({}, {"Authorization": "Bearer tl_wrong"}, {"Authorization": "Basic x"}):
                r = httpx.get(u, headers=headers)
                assert r.status_code == 401, (u, headers, r.status_code, r.text[:200])
                assert r.headers["content-type"].startswith("application/json"), u
                assert r.json()["message"], u
            assert httpx.head(f"{url}/api/v1/media/{sha}").status_code == 401
            ok = httpx.get(u, headers=auth)
            want = 400 if u.endswith("/history/sampled") else 200  # no keys= is a bad request once allowed in
            assert ok.status_code == want, (u, ok.status_code, ok.text[:200])
        assert httpx.get(f"{url}/api/v1/status").json()["auth"] == {"writes": True, "reads": True}
        assert httpx.get(f"{url}/").status_code in (200, 404)  # the static page: open (404 when not built)
