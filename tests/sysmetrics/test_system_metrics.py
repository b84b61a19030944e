"""System metrics: sampled by the sender under W&B's names, about the trainer's process tree.

Real training processes; only NVML is replaced (``fake_nvml/pynvml.py``), as there is no GPU here.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

import tidelog

HERE = Path(__file__).resolve().parent
FAKE = HERE / "fake_nvml"

SCRIPT = r'''
import multiprocessing as mp, os, sys, time
import tidelog

def hold(n, ready):
    block = bytearray(n)
    for i in range(0, n, 4096):
        block[i] = 1
    ready.set()
    time.sleep(60)

if __name__ == "__main__":
    run = tidelog.init(dir=sys.argv[1], project="sys")
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    child = ctx.Process(target=hold, args=(300 << 20, ready), daemon=True)   # a DataLoader-like worker
    child.start()
    ready.wait(60)
    t = time.time()
    while time.time() - t < 2.5:            # busy: the tree's CPU must show it
        sum(range(20000))
        run.log({"x": 1})
    run.finish()
    child.terminate()
'''

HOST = {"system/memory_percent", "system/proc.memory.availableMB", "system/disk./.usagePercent",
        "system/disk./.usageGB", "system/disk.in", "system/disk.out", "system/network.sent",
        "system/network.recv", "system/tidelog.memory.rssMB"}
TREE = {"system/cpu", "system/proc.cpu.threads", "system/proc.memory.rssMB", "system/proc.memory.percent"}


def _run(tmp_path, **env) -> list[dict]:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    e = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    e.update({"TIDELOG_STATS_INTERVAL": "0.5", "TIDELOG_CONSOLE": "off", **env})
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], env=e, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    run = tidelog.Api(dir=str(tmp_path)).runs()[0]
    rows = run.history(stream="system", pandas=False)
    assert rows == run.history(stream="events", pandas=False)
    return rows


def test_names_and_plausible_values(tmp_path):
    rows = _run(tmp_path)
    assert len(rows) >= 3
    every = set.intersection(*(set(r) for r in rows))
    assert every >= HOST
    busy = [r for r in rows if set(r) >= TREE]
    assert busy, rows
    assert all(k.startswith(("system/", "_")) for r in rows for k in r)
    assert not any(k.startswith("system/gpu.") for r in rows for k in r)   # no NVML here: no GPU keys
    last = busy[-1]
    # The spawned worker holds 300 MiB: the tree's RSS includes it; the sender (a child of the
    # trainer too) is reported apart, never inside proc.*.
    assert last["system/proc.memory.rssMB"] > 300
    assert 0 < last["system/tidelog.memory.rssMB"] < 1000
    assert last["system/proc.cpu.threads"] >= 2
    assert 0 < max(r["system/cpu"] for r in busy) <= 100
    assert 0 < last["system/memory_percent"] <= 100 and 0 < last["system/disk./.usagePercent"] <= 100
    assert last["system/proc.memory.percent"] == pytest.approx(
        100 * last["system/proc.memory.rssMB"] * 2**20 / psutil.virtual_memory().total, rel=1e-6)
    ts = [r["_timestamp"] for r in rows]
    assert ts == sorted(ts) and all(r["_runtime"] >= 0 for r in rows)
    keys = ["system/cpu"]
    assert [r["system/cpu"] for r in tidelog.Api(dir=str(tmp_path)).runs()[0].history(
        stream="system", keys=keys, pandas=False)] == [r["system/cpu"] for r in rows if "system/cpu" in r]


def test_gpu_metrics_through_nvml(tmp_path):
    rows = _run(tmp_path, PYTHONPATH=str(FAKE))
    last = rows[-1]
    assert last["system/gpu.0.gpu"] == 87 and last["system/gpu.1.gpu"] == 3
    assert last["system/gpu.0.memory"] == 41
    assert last["system/gpu.0.memoryAllocated"] == pytest.approx(25.0)
    assert last["system/gpu.0.memoryAllocatedBytes"] == 20 * 2**30
    assert last["system/gpu.0.temp"] == 71
    assert last["system/gpu.0.powerWatts"] == 350 and last["system/gpu.0.enforcedPowerLimitWatts"] == 700
    assert last["system/gpu.0.powerPercent"] == pytest.approx(50.0)
    assert (last["system/gpu.0.smClock"], last["system/gpu.0.memoryClock"]) == (1980, 2619)
    # The trainer has a context on GPU 0 only: W&B's gpu.process.<i>.* for that one.
    assert last["system/gpu.process.0.gpu"] == 87
    assert not any(k.startswith("system/gpu.process.1.") for k in last)
    # What the card cannot answer is left out, never made up.
    assert not any(k.endswith(("fanSpeed", "MemoryErrors")) for k in last)


def test_no_driver_means_no_gpu_keys_and_no_harm(tmp_path):
    rows = _run(tmp_path, PYTHONPATH=str(FAKE), FAKE_NVML_NO_DRIVER="1")
    assert rows and not any(k.startswith("system/gpu") for r in rows for k in r)


def test_unsupported_queries_are_not_retried(monkeypatch):
    monkeypatch.syspath_prepend(str(FAKE))
    fake = importlib.import_module("pynvml")
    from tidelog.sender.gpu_stats import GpuSampler

    fake.TRAINER_PID = 4242
    sampler = GpuSampler.open()
    assert sampler is not None
    for _ in range(3):
        out = sampler.sample({4242})
    assert out["gpu.process.0.temp"] == 71
    assert fake.CALLS["nvmlDeviceGetFanSpeed"] == 2  # once per GPU, then remembered as unsupported
    assert fake.CALLS["nvmlDeviceGetTemperature"] == 6
    sampler.close()
    del sys.modules["pynvml"]


def test_interval_zero_turns_them_off(tmp_path):
    assert _run(tmp_path, TIDELOG_STATS_INTERVAL="0") == []
