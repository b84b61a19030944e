"""Every media file a logged value names is one of the run's files, served by
``GET /api/v1/runs/{project}/{id}/files/<path>``: single media, and images logged
as a list (``images/separated``, whose files are named in ``filenames``)."""

from __future__ import annotations

import httpx
import numpy as np

import tidelog
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run


def test_image_list_files_are_served(server, logged_run):
    a = np.zeros((6, 6, 3), np.uint8)
    b = np.full((6, 6, 3), 90, np.uint8)

    def fn(run):
        run.log({"examples": [tidelog.Image(a), tidelog.Image(b)]})
        run.log({"one": tidelog.Image(np.full((6, 6, 3), 7, np.uint8))})

    run_dir = logged_run(fn)
    res = upload_run(ServerClient(server), run_dir)
    row = next(tidelog.Api(dir=str(run_dir.parent.parent)).run(f"srv/{res.run_id}").scan_history(keys=["examples"]))
    names = row["examples"]["filenames"]
    assert len(names) == 2
    run = f"{server}/api/v1/runs/srv/{res.run_id}"
    listed = {f["path"]: f for f in httpx.get(f"{run}/files").json()["files"]}
    for name in names:
        assert name in listed and listed[name]["kind"] == "media" and listed[name]["stored"], (name, listed)
        got = httpx.get(f"{run}/files/{name}")
        assert got.status_code == 200, (name, got.text[:200])
        assert got.content == (run_dir / name).read_bytes()
