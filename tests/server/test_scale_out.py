"""Two server instances on one PostgreSQL database and one S3 bucket behave as one."""

from __future__ import annotations

import threading

import httpx

import tidelog
from tidelog.read.chunks import chunk_bytes
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run
from tidelog.wal.reader import WalReader

from . import infra

WAL = {"Content-Type": "application/x-tidelog-wal"}


def test_two_instances_one_database_one_bucket(pg, s3, tmp_path, logged_run):
    url = infra.createdb(pg, "scaleout")
    infra.make_bucket(s3, "scaleout")
    args = ["--root", str(tmp_path / "srv"), "--database", url, "--store", "s3://scaleout/p"]
    with infra.server(args, s3["env"], tmp_path) as a, infra.server(args, s3["env"], tmp_path) as b:
        run_dir = logged_run(lambda r: [r.log({"loss": float(i), "img": tidelog.Image(
            __import__("numpy").full((4, 4, 3), i // 100, "uint8"))} if i % 100 == 0 else {"loss": float(i)})
            for i in range(3000)], config={"lr": 0.1})
        run_id = run_dir.name.rsplit("-", 1)[-1]
        chunks = [chunk_bytes(c) for c in WalReader(run_dir / "wal").chunks()]
        # the same WAL posted through both instances at once: stored exactly once
        answers = []

        def post(server):
            answers.append(httpx.post(f"{server}/api/v1/runs/srv/{run_id}/wal", params={"after": 0},
                                      content=b"".join(chunks), headers=WAL, timeout=60).status_code)

        threads = [threading.Thread(target=post, args=(s,)) for s in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers == [200] * 4
        upload_run(ServerClient(a), run_dir)  # and the media
        remote = tidelog.Api(server=b).run(f"srv/{run_id}")
        local = tidelog.Api(dir=str(run_dir.parent.parent)).run(f"srv/{run_id}")
        assert list(remote.scan_history()) == list(local.scan_history())
        assert remote.config == {"lr": 0.1}
        img = local.summary["img"]
        got = httpx.get(f"{b}/api/v1/runs/srv/{run_id}/files/{img['path']}")
        assert got.content == (run_dir / img["path"]).read_bytes()
        assert httpx.get(f"{a}/api/v1/runs/srv/{run_id}/wal").json() == \
            httpx.get(f"{b}/api/v1/runs/srv/{run_id}/wal").json()
