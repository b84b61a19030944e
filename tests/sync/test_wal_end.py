"""``PUT .../wal/end`` (docs/server-api.md): a client's statement of a run's end, refused with a 4xx naming
what was wrong and nothing changed, idempotent when accepted, never able to override an exit record."""

from __future__ import annotations

import httpx

from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run

from . import helpers

DAMAGE = [{"segment": "000001.wal", "offset": 4096, "length": 100, "reason": "payload checksum mismatch"}]


def test_wal_end_refusals_and_idempotence(server, tmp_path):
    run_dir = helpers.log_run(tmp_path / "runs", steps=20, media=0)
    res = upload_run(ServerClient(server), run_dir)
    base = f"{server}/api/v1/runs/{res.project}/{res.run_id}"
    before = httpx.get(base).json()
    end = base + "/wal/end"
    for body, status, word in [
        ({"acked_seq": res.acked_seq - 1, "state": None, "damage": []}, 409, "upload"),
        ({"acked_seq": "x", "damage": []}, 400, "acked_seq"),
        ({"acked_seq": res.acked_seq, "state": "finished", "damage": []}, 400, "state"),
        ({"acked_seq": res.acked_seq, "damage": [{"segment": 1}]}, 400, "damage"),
        ({"acked_seq": res.acked_seq, "extra": 1}, 400, "body"),
    ]:
        r = httpx.put(end, json=body)
        assert r.status_code == status and word in r.json()["message"], (body, r.text)
    assert httpx.put(f"{server}/api/v1/runs/{res.project}/nosuchrun/wal/end",
                     json={"acked_seq": 0, "damage": []}).status_code == 404
    assert httpx.get(base).json() == before   # nothing changed
    # a finished run stays finished; the damage is recorded, once
    for _ in range(2):
        r = httpx.put(end, json={"acked_seq": res.acked_seq, "state": "crashed", "damage": DAMAGE})
        assert r.status_code == 200, r.text
    after = httpx.get(base).json()
    assert after["state"] == "finished" and after["damage"] == DAMAGE
