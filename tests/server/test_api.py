"""The HTTP API end to end: a real run uploaded to a real server, read back.

Parametrized over the embedded default and PostgreSQL + S3 (conftest.py).
"""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest

import tidelog
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run


def _log_basic(run):
    run.config.update({"lr": 0.02, "opt": {"name": "adam"}})
    for i in range(300):
        loss = 1.0 / (i + 1)
        if i == 137:
            loss = 50.0  # a one-step spike
        run.log({"loss": loss, "acc": i / 300, "epoch": i // 100})
    run.log({"img": tidelog.Image(np.full((8, 8, 3), 200, np.uint8), caption="c")})
    run.summary["best"] = 0.9


def test_upload_and_read_back(server, logged_run, tmp_path):
    run_dir = logged_run(_log_basic, config={"batch": 32}, tags=["base"])
    client = ServerClient(server)
    res = upload_run(client, run_dir)
    assert res.records > 0 and res.files >= 1
    again = upload_run(client, run_dir)
    assert again.records == 0 and again.requests == 0 and again.files == 0

    local = tidelog.Api(dir=str(run_dir.parent.parent)).run(f"srv/{res.run_id}")
    api = tidelog.Api(server=server)
    remote = api.run(f"srv/{res.run_id}")
    assert remote.state == "finished" == local.state
    assert remote.config == local.config
    assert remote.tags == ["base"]
    assert remote.summary["best"] == 0.9
    assert remote.summary["loss"] == local.summary["loss"]
    assert list(remote.scan_history()) == list(local.scan_history())
    assert list(remote.scan_history(keys=["loss"])) == list(local.scan_history(keys=["loss"]))

    img = remote.summary["img"]
    path = remote.file(img["path"]).download(root=str(tmp_path / "dl"))
    assert path.read_bytes() == (run_dir / img["path"]).read_bytes()


def test_downsampled_keeps_spike_and_is_deterministic(server, logged_run):
    run_dir = logged_run(_log_basic)
    res = upload_run(ServerClient(server), run_dir)
    url = f"{server}/api/v1/runs/srv/{res.run_id}/history/sampled"
    a = httpx.get(url, params={"keys": "loss", "buckets": 10}).json()
    b = httpx.get(url, params={"keys": "loss", "buckets": 10}).json()
    assert a == b
    s = a["series"]["loss"]
    assert len(s["x"]) == 10 and sum(s["count"]) == 300
    assert max(s["max"]) == 50.0 and s["x_of_max"][s["max"].index(50.0)] == 137
    assert s["first"][0] == 1.0 and s["last"][-1] == pytest.approx(1 / 300)
    by_epoch = httpx.get(url, params={"keys": "loss", "buckets": 3, "x_axis": "epoch"}).json()["series"]["loss"]
    assert by_epoch["x"] == [0, 1, 2] and by_epoch["count"] == [100, 100, 100]
    ranged = httpx.get(url, params={"keys": "loss", "buckets": 5, "x_min": 100, "x_max": 149}).json()
    assert sum(ranged["series"]["loss"]["count"]) == 50 and max(ranged["series"]["loss"]["max"]) == 50.0


def test_paged_history_matches_stream(server, logged_run):
    run_dir = logged_run(_log_basic)
    res = upload_run(ServerClient(server), run_dir)
    base = f"{server}/api/v1/runs/srv/{res.run_id}/history"
    rows, params = [], {"keys": "loss,acc", "limit": 64}
    while True:
        page = httpx.get(base, params=params).json()
        rows += page["rows"]
        if page["next_min_step"] is None:
            break
        params["min_step"] = page["next_min_step"]
    streamed = [json.loads(line) for line in httpx.get(base + "/stream", params={"keys": "loss,acc"}).text.splitlines()]
    assert rows == streamed and len(rows) == 300 and rows[137]["loss"] == 50.0


def test_runs_filters_sort_and_paging(server, logged_run):
    client = ServerClient(server)
    ids = {}
    for lr in (0.001, 0.01, 0.1):
        d = logged_run(lambda r, lr=lr: r.log({"acc": lr * 5}), config={"lr": lr, "name": f"n{lr}"},
                       tags=["big"] if lr > 0.005 else [])
        ids[lr] = upload_run(client, d).run_id
    api = tidelog.Api(server=server)
    got = api.runs("srv", filters={"config.lr": {"$gt": 0.005}})
    assert sorted(r.id for r in got) == sorted([ids[0.01], ids[0.1]])
    assert [r.id for r in api.runs("srv", filters={"config.lr.value": 0.001})] == [ids[0.001]]
    assert [r.id for r in api.runs("srv", filters={"tags": "big", "summary.acc": {"$lt": 0.1}})] == [ids[0.01]]
    assert [r.id for r in api.runs("srv", filters={"config.name": {"$in": ["n0.1"]}})] == [ids[0.1]]
    page = httpx.get(f"{server}/api/v1/runs", params={"project": "srv", "order": "-config.lr", "per_page": 2}).json()
    assert [r["id"] for r in page["runs"]] == [ids[0.1], ids[0.01]] and page["total"] == 3
    page2 = httpx.get(f"{server}/api/v1/runs", params={"project": "srv", "order": "-config.lr", "per_page": 2,
                                                        "cursor": page["next"]}).json()
    assert [r["id"] for r in page2["runs"]] == [ids[0.001]] and page2["next"] is None
    # a string never compares as a number: no run has a numeric config.name
    assert api.runs("srv", filters={"config.name": {"$gt": 0}}) == []


def test_summary_update_and_detail(server, logged_run):
    run_dir = logged_run(_log_basic)
    res = upload_run(ServerClient(server), run_dir)
    run = tidelog.Api(server=server).run(f"srv/{res.run_id}")
    run.summary["note"] = "rerun"
    run.summary.update()
    again = tidelog.Api(server=server).run(f"srv/{res.run_id}")
    assert again.summary["note"] == "rerun" and again.summary["best"] == 0.9
    detail = httpx.get(f"{server}/api/v1/runs/srv/{res.run_id}").json()
    keys = {k["name"]: k for k in detail["keys"]}
    assert keys["loss"]["count"] == 300 and keys["loss"]["max"] == 50.0 and keys["img"]["type"] == "image-file"
    hist = tidelog.Api(server=server).run(f"srv/{res.run_id}").history(samples=50, keys=["loss"], pandas=False)
    assert 40 <= len(hist) <= 50 and hist[0] == {"_step": 0, "loss": 1.0}
