"""The exit code of a script that ends without ``finish()`` is recorded, and a non-zero one means failed.

Real scripts in their own interpreter: the run is finished by the exit hooks,
then read back with ``tidelog.Api``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import tidelog
from tidelog.read.run import RunState

_SCRIPT = """
import sys
import tidelog as wandb
wandb.init(dir=sys.argv[1], project="exits", id="run1")
wandb.log({{"loss": 0.5}})
{ending}
"""


@pytest.mark.parametrize(
    ("ending", "returncode", "exit_code", "state", "reason"),
    [
        ("sys.exit(3)", 3, 3, "failed", ""),
        ("sys.exit(255)", 255, 255, "failed", ""),
        ("sys.exit('giving up')", 1, 1, "failed", "giving up"),
        ("raise RuntimeError('boom')", 1, 1, "failed", "RuntimeError: boom"),
        ("sys.exit(0)", 0, 0, "finished", ""),
        ("sys.exit()", 0, 0, "finished", ""),
        ("sys.exit(None)", 0, 0, "finished", ""),
        ("pass", 0, 0, "finished", ""),
        ("try:\n    sys.exit(4)\nfinally:\n    pass", 4, 4, "failed", ""),
        ("import argparse\nargparse.ArgumentParser().parse_args(['--bogus'])", 2, 2, "failed", ""),
    ],
    ids=["exit-3", "exit-255", "exit-message", "exception", "exit-0", "exit-bare", "exit-none",
         "falls-off-end", "exit-in-try", "argparse-error"],
)
def test_exit_code_and_state_are_recorded(tmp_path, ending, returncode, exit_code, state, reason):
    script = tmp_path / "train.py"
    script.write_text(_SCRIPT.format(ending=ending))
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == returncode, proc.stderr
    r = tidelog.Api(dir=tmp_path).run("exits/run1")
    assert r.state == state
    exit_record = RunState.load(r.dir).exit
    assert exit_record.exit_code == exit_code
    assert reason in exit_record.traceback
    if state == "finished":
        assert exit_record.traceback == ""
    assert [row["loss"] for row in r.scan_history()] == [0.5]


def test_sys_exit_in_a_thread_does_not_fail_the_run(tmp_path):
    """``sys.exit`` in a thread ends only that thread; the script then ends normally."""
    script = tmp_path / "train.py"
    script.write_text(_SCRIPT.format(ending="import threading\nt = threading.Thread(target=sys.exit, "
                                             "args=(5,))\nt.start(); t.join()"))
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    r = tidelog.Api(dir=tmp_path).run("exits/run1")
    assert r.state == "finished" and RunState.load(r.dir).exit.exit_code == 0
