"""System metrics and console output of a real run, uploaded, read back through the server.

The run is a real training process (its console captured, its sender sampling system
metrics every 0.3 s); the server must answer with exactly what the run stores locally.
"""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

import tidelog
from tidelog.read.streams import console_lines
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run

SCRIPT = r'''
import sys, time, tidelog
run = tidelog.init(dir=sys.argv[1], project="srv")
print("epoch 1/2")
for i in range(4):
    print(f"\r{25 * (i + 1)}%", end="", flush=True)
print()
print("warning: something", file=sys.stderr, flush=True)
t = time.time()
while time.time() - t < 1.5:
    run.log({"loss": 1.0})
    time.sleep(0.001)
print("epoch 2/2", flush=True)
run.finish()
'''


def _real_run(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    env["TIDELOG_STATS_INTERVAL"] = "0.3"
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tidelog.Api(dir=str(tmp_path)).runs()[0]


def test_system_and_console_endpoints_return_what_is_stored(server, tmp_path):
    local = _real_run(tmp_path)
    res = upload_run(ServerClient(server), local.dir)
    base = f"{server}/api/v1/runs/srv/{res.run_id}"

    rows = local.history(stream="system", pandas=False)
    assert len(rows) >= 2
    system = httpx.get(base + "/system").json()
    names = sorted({k for r in rows for k in r if not k.startswith("_")})
    assert system["keys"] == names and "system/cpu" in names and "system/memory_percent" in names
    for name in names:
        mine = [(r["_timestamp"], r[name]) for r in rows if name in r]
        assert list(zip(system["series"][name]["t"], system["series"][name]["v"])) == mine
    one = httpx.get(base + "/system", params={"keys": "system/proc.memory.rssMB"}).json()
    assert one["keys"] == ["system/proc.memory.rssMB"]

    stored = console_lines(local.dir)
    assert [t for _s, _t, t in stored] == ["epoch 1/2", "100%", "warning: something", "epoch 2/2"]
    got, params = [], {"limit": 3}
    while True:
        page = httpx.get(base + "/console", params=params).json()
        got += page["lines"]
        if page["next_after_seq"] is None:
            break
        params["after_seq"] = page["next_after_seq"]
    assert [(x["stream"], x["t"], x["text"]) for x in got] == stored

    log = httpx.get(base + "/files/files/output.log")
    assert log.status_code == 200 and log.content == local.file("output.log").read()
    remote = tidelog.Api(server=server).run(f"srv/{res.run_id}")
    assert remote.file("output.log").size == len(log.content)  # W&B's name, relative to files/
    assert remote.history(stream="system", pandas=False) == [
        {k: v for k, v in r.items() if k != "_runtime"} for r in rows]
