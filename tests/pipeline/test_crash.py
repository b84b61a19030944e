"""Crash trials: nothing that log() returned for is ever lost.

* the trainer killed with SIGKILL at random points (30 trials, and 8 more
  with a ring so small that it spills to disk): every step whose log()
  returned is read back and the run is ``crashed``;
* the sender killed with SIGKILL mid-run (twice): training finishes, every
  step present, the run ``finished``;
* the disk fills up under the run: training goes on, a clear warning, the
  WAL stays readable, and what was logged while the disk was full lands once
  space returns.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import tidelog
from tidelog.read.run import RunState
from tidelog.wal.verify import verify_wal

from .conftest import run_dir_of, spawn, wait_state

TRIALS = 30


def _read_until(proc: subprocess.Popen, marker: bytes) -> None:
    line = proc.stdout.readline()
    assert line.startswith(marker), (line, proc.stderr.read() if proc.poll() is not None else b"")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("trials, image_side, ring_mb", [(TRIALS, 4, None), (8, 320, "1")],
                         ids=["ring", "spilling"])
def test_sigkill_trainer_loses_no_returned_step(tmp_path: Path, monkeypatch, trials, image_side, ring_mb) -> None:
    """Killed at random points; with a 1 MiB ring and 300 KiB images, often while spilling to disk."""
    if ring_mb:
        monkeypatch.setenv("TIDELOG_RING_MB", ring_mb)
    rng = random.Random(1234)
    spilled = 0
    for trial in range(trials):
        run_id = f"kill{trial:03d}"
        proc = spawn("log_forever.py", tmp_path, run_id, image_side)
        _read_until(proc, b"started")
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        returned = [int(x) for x in out.split() if x.isdigit()]
        spilled += b"spilled" in out
        run_dir = run_dir_of(tmp_path, run_id)
        state = wait_state(run_dir, "crashed")
        rows = list(tidelog.Api(dir=tmp_path).run(f"crash/{run_id}").scan_history())
        steps = {r["_step"] for r in rows if "loss" in r}
        missing = [s for s in returned if s not in steps]
        assert not missing, f"trial {trial}: steps {missing[:10]} returned from log() but were lost"
        for r in rows:
            if "loss" in r:  # values are the ones logged, not garbage
                assert r["loss"] == 1.0 / (r["_step"] + 1) and r["step_i"] == r["_step"]
        assert not state.damage, state.damage
    if ring_mb:
        assert spilled >= trials // 2, f"only {spilled} of {trials} trials reached the spill file"


@pytest.mark.timeout(300)
def test_sigkill_sender_mid_run_training_finishes_complete(tmp_path: Path) -> None:
    n = 600
    proc = spawn("log_n.py", tmp_path, "senderkill", n, 0.004)
    first = proc.stdout.readline().split()
    assert first[0] == b"sender"
    killed = {int(first[1])}
    os.kill(int(first[1]), signal.SIGKILL)
    # Kill the replacement too, once it is up and working.
    for line in iter(proc.stdout.readline, b""):
        parts = line.split()
        if parts[:1] == [b"step"] and int(parts[3]) not in killed and int(parts[1]) >= 200:
            killed.add(int(parts[3]))
            os.kill(int(parts[3]), signal.SIGKILL)
            break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"done" in out
    assert b"sender process" in err  # the trainer said what happened
    run_dir = run_dir_of(tmp_path, "senderkill")
    state = RunState.load(run_dir)
    assert state.state == "finished"
    rows = list(tidelog.Api(dir=tmp_path).run("crash/senderkill").scan_history())
    assert [r["_step"] for r in rows] == list(range(n))
    assert all(r["text"].endswith(str(r["_step"])) for r in rows)
    assert len(killed) == 2
    assert sum("restarted" in m for m in state.notices) >= 1


def _mount_small_tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                         capture_output=True)
    return res.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    mnt = tmp_path / "small"
    if os.geteuid() != 0 or shutil.which("mount") is None or not _mount_small_tmpfs(mnt, "4m"):
        pytest.skip("needs root to mount a small tmpfs (CI runs as root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.timeout(300)
def test_full_disk_training_goes_on_and_log_stays_readable(small_disk: Path) -> None:
    n = 1500
    proc = spawn("log_n.py", small_disk, "full", n, 0.002)
    assert proc.stdout.readline().startswith(b"sender")
    # Let some steps land, then fill the disk to the last byte.
    for line in iter(proc.stdout.readline, b""):
        if line.startswith(b"step 200"):
            break
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as f:  # unbuffered: close() has nothing left to flush
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    # Keep it full for a while, then give the space back.
    for line in iter(proc.stdout.readline, b""):
        if line.startswith(b"step 900"):
            break
    filler.unlink()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"done" in out, "training must go on while the disk is full"
    assert b"the disk is full" in err, err.decode()
    run_dir = run_dir_of(small_disk, "full")
    report = verify_wal(run_dir / "wal")
    assert report.ok, report.to_dict()
    rows = list(tidelog.Api(dir=small_disk).run("crash/full").scan_history())
    assert [r["_step"] for r in rows] == list(range(n))
    assert RunState.load(run_dir).state == "finished"
