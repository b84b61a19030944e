"""Both processes killed at once: what the ring held is recovered, nothing log() returned for is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import tidelog
from tidelog.read.run import RunState

from .conftest import run_dir_of, spawn, wait_state


def _kill_trainer_and_sender(proc: subprocess.Popen) -> bytes:
    """SIGKILL the trainer and its sender in one go, as a job scheduler's kill does; the trainer's output."""
    family = [proc.pid] + [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    for pid in family:
        os.kill(pid, signal.SIGKILL)
    return proc.communicate(timeout=30)[0]


def test_tidelog_recover_writes_what_both_dead_processes_left(tmp_path: Path) -> None:
    proc = spawn("log_forever.py", tmp_path, "bothdead")
    assert proc.stdout.readline().startswith(b"started")
    # Let steps accumulate in the ring: the sender lingers up to 200 ms before writing.
    time.sleep(0.5)
    returned = [int(x) for x in _kill_trainer_and_sender(proc).split() if x.isdigit()]
    run_dir = run_dir_of(tmp_path, "bothdead")
    before = {r["_step"] for r in tidelog.Api(dir=tmp_path).run("crash/bothdead").scan_history()}
    assert RunState.load(run_dir).state == "crashed"  # no process holds the run any more
    assert set(returned) - before, "the kill should have caught records still in the ring"

    res = subprocess.run([sys.executable, "-m", "tidelog", "recover"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert str(run_dir) in res.stdout
    assert "the run is now crashed" in res.stdout  # the state recover actually left
    state = wait_state(run_dir, "crashed")
    steps = {r["_step"] for r in tidelog.Api(dir=tmp_path).run("crash/bothdead").scan_history()}
    assert not set(returned) - steps, f"lost after recovery: {sorted(set(returned) - steps)[:10]}"
    assert state.exit is not None and state.exit.state == "crashed"
    assert not list(Path("/dev/shm").glob("tidelog-bothdead-*.ring"))


def test_init_recovers_orphans_in_the_background(tmp_path: Path) -> None:
    proc = spawn("log_forever.py", tmp_path, "orphan2")
    assert proc.stdout.readline().startswith(b"started")
    time.sleep(0.5)
    _kill_trainer_and_sender(proc)
    assert list(Path("/dev/shm").glob("tidelog-orphan2-*.ring"))
    with pytest.warns(tidelog.TidelogWarning, match="both its processes killed"):
        run = tidelog.init(project="other", dir=tmp_path / "elsewhere")
    run.finish()
    deadline = time.monotonic() + 30
    while list(Path("/dev/shm").glob("tidelog-orphan2-*.ring")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(Path("/dev/shm").glob("tidelog-orphan2-*.ring"))
    assert RunState.load(run_dir_of(tmp_path, "orphan2")).exit.state == "crashed"


def test_a_recovery_that_outlasts_its_timeout_is_a_sender_error_and_still_completes(tmp_path: Path) -> None:
    """``subprocess.TimeoutExpired`` does not leak out of ``recover()``: a SenderError says what happened."""
    from tidelog.errors import SenderError
    from tidelog.transport.recover import find_orphans, recover

    proc = spawn("log_forever.py", tmp_path, "slowrec")
    assert proc.stdout.readline().startswith(b"started")
    time.sleep(0.5)
    returned = [int(x) for x in _kill_trainer_and_sender(proc).split() if x.isdigit()]
    run_dir = run_dir_of(tmp_path, "slowrec")
    (orphan,) = [o for o in find_orphans() if o.run_dir == run_dir]
    with pytest.raises(SenderError, match=r"still writing after 0\.001 s; it is left running"):
        recover(orphan, timeout=0.001)  # no sender starts that fast
    deadline = time.monotonic() + 60
    while orphan.ring.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not orphan.ring.exists(), "the sender left running should finish the recovery"
    steps = {r["_step"] for r in tidelog.Api(dir=tmp_path).run("crash/slowrec").scan_history()}
    assert not set(returned) - steps
