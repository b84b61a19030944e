"""The sender's supervisor as the training script sees it: restarts, their warnings, a slow finish().

In-process runs with a real sender that the test kills or pauses.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

import pytest

import tidelog
from tidelog.errors import TidelogWarning
from tidelog.testing import sender_pid, stored_rows, wait_sender_restarted


@pytest.fixture
def run(tmp_path: Path, monkeypatch):
    for name in ("TIDELOG_MODE", "WANDB_MODE", "TIDELOG_RUN_ID", "WANDB_RUN_ID", "TIDELOG_FSYNC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIDELOG_STATS_INTERVAL", "0")
    r = tidelog.init(project="sup", dir=tmp_path)
    yield r
    r.finish()


def test_restart_warning_names_the_users_line_and_leaves_no_resource_warning(run):
    run.log({"x": 1.0})
    old = sender_pid(run)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        os.kill(old, signal.SIGKILL)
        wait_sender_restarted(run, old)                    # the main thread waits here, in this file
        gc.collect()
    restart = [w for w in caught if issubclass(w.category, TidelogWarning) and "killed by signal" in str(w.message)]
    assert len(restart) == 1 and restart[0].filename == __file__
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []
    run.log({"x": 2.0})
    run.finish()
    rows = stored_rows(run)
    assert [r["x"] for r in rows] == [1.0, 2.0]


def test_a_restart_during_finish_names_the_users_finish_line(run):
    """The main thread is inside finish() (and subprocess.wait) when the watchdog warns: the user's line."""
    for i in range(100):
        run.log({"x": float(i)})
    pid = sender_pid(run)
    os.kill(pid, signal.SIGSTOP)
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.finish(); finish_line = sys._getframe().f_lineno  # noqa: E702
    killer.join()
    restart = [w for w in caught if "killed by signal" in str(w.message)]
    assert [(w.filename, w.lineno) for w in restart] == [(__file__, finish_line)]
    rows = stored_rows(run)
    assert len(rows) == 100


def test_a_finish_that_waits_shows_what_is_left(run, capfd):
    for i in range(2000):
        run.log({"x": float(i), "text": "y" * 100})
    pid = sender_pid(run)
    os.kill(pid, signal.SIGSTOP)                     # the sender falls behind ...
    resume = threading.Timer(3.5, os.kill, (pid, signal.SIGCONT))   # ... for longer than 2 s
    resume.start()
    try:
        run.finish()
    finally:
        resume.cancel()
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass  # it resumed, wrote everything and exited

    err = capfd.readouterr().err
    assert "left to write" in err and "everything written" in err
    progress = [line for line in err.splitlines() if "left to write" in line]
    assert all(("bytes" in line or "KiB" in line or "MiB" in line) for line in progress)
    rows = stored_rows(run)
    assert len(rows) == 2000


def test_a_quick_finish_prints_nothing(run, capfd):
    run.log({"x": 1.0})
    run.finish()
    assert "tidelog:" not in capfd.readouterr().err


_RESTART_SCRIPT = """
import os, signal, sys, time
import tidelog
run = tidelog.init(project="sup", dir=sys.argv[1], id="werror")
run.log({"x": 1.0})
from tidelog.testing import sender_pid, wait_sender_restarted
old = sender_pid(run)
os.kill(old, signal.SIGKILL)
wait_sender_restarted(run, old)
run.log({"x": 2.0})
run.finish()
"""


def test_restart_works_when_warnings_are_errors(tmp_path):
    """``python -W error``: the restart warning cannot stop the watchdog thread; it is printed instead."""
    import subprocess
    import sys

    script = tmp_path / "train.py"
    script.write_text(_RESTART_SCRIPT)
    env = {**os.environ, "TIDELOG_STATS_INTERVAL": "0"}
    proc = subprocess.run([sys.executable, "-W", "error", str(script), str(tmp_path)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    line = _RESTART_SCRIPT.splitlines().index("wait_sender_restarted(run, old)") + 1  # where the script waits
    assert f"{script}:{line}: TidelogWarning: tidelog: the sender process" in proc.stderr
    r = tidelog.Api(dir=tmp_path).run("sup/werror")
    assert r.state == "finished" and [row["x"] for row in r.scan_history()] == [1.0, 2.0]
