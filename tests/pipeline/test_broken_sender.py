"""A sender that dies at every start: tidelog stops restarting it, loses nothing, and it is recoverable.

The child breaks its own fsync setting after ``init()`` checked it, so every
sender exits at start. After a few restarts that acknowledged nothing the
supervisor gives up (one warning, with the traceback, at the user's line);
``log()`` goes on into the ring and the spill file; ``finish()`` returns at
once and names ``tidelog recover``; after the process ends, ``tidelog
recover`` writes every returned step and reports the state it left.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tidelog
from tidelog.read.run import RunState
from tidelog.wal import WalReader

from .conftest import CHILDREN, run_dir_of, spawn, wait_state


def test_broken_sender_loses_nothing_and_recover_writes_every_step(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TIDELOG_RING_MB", "1")        # 1 MiB ring: the second half spills to disk
    n = 6000
    proc = spawn("broken_sender.py", tmp_path, "brk", n)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    returned = [int(line.split()[1]) for line in lines if line.startswith("step ")]
    assert returned == list(range(n))
    broken_at = next(line.split(" ", 1)[1] for line in lines if line.startswith("broken "))
    assert broken_at == str(CHILDREN / "broken_sender.py")          # the warning names the user's file
    assert "bogus" in err.decode()                                   # ... and carries the sender's traceback
    finish_warnings = [line for line in lines if line.startswith("finish-warning ")]
    run_dir = run_dir_of(tmp_path, "brk")
    assert any(f"tidelog recover {run_dir}" in w for w in finish_warnings), finish_warnings
    assert not any("no progress" in w for w in finish_warnings)      # finish() did not wait for a stall

    assert list((run_dir / "transport").glob("spill.*")), "the test should have spilled"
    assert RunState.load(run_dir).last_step is None                  # nothing was written yet

    res = subprocess.run([sys.executable, "-m", "tidelog", "recover", str(run_dir)], capture_output=True,
                         text=True, timeout=240)
    assert res.returncode == 0, res.stdout + res.stderr
    # /dev/shm is shared: another tidelog.init() on this machine may have drained the ring first.
    if str(run_dir) in res.stdout:
        assert f"written to the run's WAL ({run_dir}); the run is now finished, exit code 0" in res.stdout
    wait_state(run_dir, "finished", timeout=120)
    r = tidelog.Api(dir=tmp_path).run("broken/brk")
    assert r.state == "finished"
    steps = [row["_step"] for row in r.scan_history(keys=["loss"])]
    assert steps == list(range(n))
    assert not list((run_dir / "transport").glob("spill.*"))
    assert not list(Path("/dev/shm").glob("tidelog-brk-*.ring"))
    notices = [rec.notice.message for rec in WalReader(run_dir / "wal").records()
               if rec.WhichOneof("kind") == "notice"]
    assert any("not restarted again" in m for m in notices)          # the log says why it stopped

