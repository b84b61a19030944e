"""A step logged in several calls, with a key overwritten within the step: the
downsampled min/max/first/last are over the rows as every-row history reads them
(the last fragment's value per key per step), on both the raw and the tile path."""

from __future__ import annotations

import httpx
import numpy as np

from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run


def _log(run):
    for i in range(400):
        run.log({"loss": 1000.0 + i, "n": -5}, step=i)  # overwritten below, within the same step
        run.log({"loss": float(i % 50), "n": i}, step=i)


def test_sampled_is_over_rows_not_overwritten_fragments(server, logged_run):
    run_dir = logged_run(_log)
    res = upload_run(ServerClient(server), run_dir)
    run = f"{server}/api/v1/runs/srv/{res.run_id}"
    rows = httpx.get(f"{run}/history", params={"keys": "loss,n", "limit": 10000}).json()["rows"]
    assert len(rows) == 400 and [r["loss"] for r in rows] == [float(i % 50) for i in range(400)]
    for buckets in (1, 2, 7, 1000):  # few buckets: tiles; many: the exact points
        got = httpx.get(f"{run}/history/sampled", params={"keys": "loss,n", "buckets": buckets}).json()
        for key, want in (("loss", np.array([i % 50 for i in range(400)], float)), ("n", np.arange(400.0))):
            s = got["series"][key]
            mx = [m for m in s["max"] if m is not None]
            mn = [m for m in s["min"] if m is not None]
            assert max(mx) == want.max() and min(mn) == want.min(), (buckets, key, max(mx), min(mn))
            assert sum(c for c in s["count"]) == 400, (buckets, key)
            firsts = [f for f in s["first"] if f is not None]
            lasts = [f for f in s["last"] if f is not None]
            assert firsts[0] == want[0] and lasts[-1] == want[-1], (buckets, key)
    detail = httpx.get(run).json()
    loss = next(k for k in detail["keys"] if k["name"] == "loss")
    assert loss["count"] == 400, loss
