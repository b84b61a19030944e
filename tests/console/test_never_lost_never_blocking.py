"""What was printed before a ``kill -9`` is stored; a stopped sender never holds up a ``print``;
in the default (wrap) mode, output that bypasses ``sys.stdout`` reaches the parent intact under a ``kill -9``."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time

import pytest
from _console_helpers import PY, clean_env, only_run, state_of, stored_lines, write_script

N = 3000
TRIALS = 12


def _crashed_lines(tmp_path) -> list[str]:
    run_dir = only_run(tmp_path)
    deadline = time.monotonic() + 30
    while state_of(run_dir) != "crashed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state_of(run_dir) == "crashed"
    return [t for _s, _t, t in stored_lines(run_dir)]


def test_wrap_print_just_before_sigkill_is_stored(tmp_path):
    """Wrap mode hands the copy to the ring inside write(): the process kills itself right after
    the prints return, and every line, the unfinished last one too, is in the run."""
    script = write_script(tmp_path, r'''
import os, signal, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c")
for i in range(int(sys.argv[2])):
    print(f"line {i}", flush=True)
print("\x1b[32mgreen\x1b[0m", flush=True)
print("marker 10%\rmarker 100%", flush=True)
print("partial, no newline", end="", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
''')
    proc = subprocess.run([PY, str(script), str(tmp_path), str(N)], env=clean_env(), cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert proc.returncode == -9
    want = [f"line {i}" for i in range(N)] + ["\x1b[32mgreen\x1b[0m", "marker 100%", "partial, no newline"]
    assert proc.stdout.decode().replace("marker 10%\r", "") == "\n".join(want)
    assert _crashed_lines(tmp_path) == want


def test_redirect_lines_printed_just_before_sigkill_are_stored_and_shown(tmp_path):
    # The tee thread is parked first, so every line is still in the pipe at the kill: what is
    # stored and shown must come from the sender's drain (without it, nothing would be).
    script = write_script(tmp_path, r'''
import os, signal, sys, threading, time, tidelog
run = tidelog.init(dir=sys.argv[1], project="c", settings={"console": "redirect"})
parked = threading.Event()
def park(timeout, limit=0):
    parked.set()
    time.sleep(3600)
run._link.console._drain = park
parked.wait(10)
for i in range(int(sys.argv[2])):
    print(f"line {i}")
print("partial, no newline", end="")
sys.stdout.flush()
os.kill(os.getpid(), signal.SIGKILL)
''')
    # The sender also holds the terminal's descriptor: EOF comes once it has written what it drained.
    proc = subprocess.run([PY, str(script), str(tmp_path), str(N)], env=clean_env(), cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert proc.returncode == -9
    want = [f"line {i}" for i in range(N)] + ["partial, no newline"]
    assert proc.stdout.decode() == "\n".join(want)  # the terminal got every byte, once
    assert _crashed_lines(tmp_path) == want


def test_default_mode_leaves_raw_fd_writes_intact_under_sigkill(tmp_path):
    """The crash-trial pattern (tests/pipeline/children/log_forever.py): a trainer reports each
    step with os.write(1, ...) after log() returned and is killed with -9 from outside at random
    moments. What the parent's pipe got is whole lines "N" for N = 0, 1, 2, ... in order, nothing
    cut or interleaved (an fd-level tee that dies holding a chunk it read but has not written
    through garbles this, as "1212857" did in the crash trial)."""
    script = write_script(tmp_path, r'''
import os, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c")
os.write(1, b"started\n")
i = 0
while True:
    run.log({"loss": 1.0 / (i + 1), "phase": f"p{i}"})
    os.write(1, b"%d\n" % i)
    i += 1
''')
    rng = random.Random(12)
    for trial in range(TRIALS):
        base = tmp_path / f"t{trial}"
        proc = subprocess.Popen([PY, str(script), str(base)], env=clean_env(), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout.readline() == b"started\n"
        time.sleep(rng.uniform(0.02, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        got = proc.stdout.read()
        proc.stdout.close()
        assert proc.wait(timeout=60) == -9
        lines = got.decode().split("\n")
        assert lines[-1] == "", f"trial {trial}: cut last line {lines[-1]!r}"
        assert lines[:-1] == [str(i) for i in range(len(lines) - 1)], f"trial {trial}"


@pytest.mark.parametrize("mode", ["auto", "redirect"])
def test_a_stopped_sender_never_blocks_prints(tmp_path, mode):
    """The sender is SIGSTOPped while the script prints far more than the ring, the pipe and the
    pty hold; the prints must all return (else the script never reaches SIGCONT and the test
    times out), and every line is stored once the sender continues."""
    script = write_script(tmp_path, r'''
import os, signal, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c", settings={"console": sys.argv[3]})
sender = run._link.supervisor.pid
os.kill(sender, signal.SIGSTOP)
for i in range(int(sys.argv[2])):
    print(f"line {i} " + "x" * 100)
sys.stdout.flush()
print("printed all", file=sys.stderr, flush=True)
os.kill(sender, signal.SIGCONT)
run.finish()
''')
    n = 40_000  # ~4.4 MB through a 1 MiB ring: the spill file takes the rest
    proc = subprocess.run([PY, str(script), str(tmp_path), str(n), mode], env=clean_env(TIDELOG_RING_MB="1"),
                          cwd=tmp_path, capture_output=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert b"printed all" in proc.stderr
    assert proc.stdout.count(b"\n") == n
    lines = [t for s, _t, t in stored_lines(only_run(tmp_path)) if s == "stdout"]
    assert lines == [f"line {i} " + "x" * 100 for i in range(n)]


@pytest.mark.parametrize("mode", ["auto", "redirect"])
def test_children_outliving_finish_still_reach_the_terminal(tmp_path, mode):
    """A child holding the captured stdout keeps printing after finish(): its lines reach the
    terminal (no longer stored), and finish() does not wait for it."""
    script = write_script(tmp_path, r'''
import subprocess, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c", settings={"console": sys.argv[2]})
child = subprocess.Popen(["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo child $i; i=$((i+1)); sleep 0.003; done"])
print("before finish", flush=True)
run.finish()
print("finished", flush=True)
child.wait()
print("parent done", flush=True)
''')
    proc = subprocess.run([PY, str(script), str(tmp_path), mode], env=clean_env(), cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout.decode()
    # (print writes "text" and "\n" apart when unbuffered: a child line may land between them,
    # as it would on any terminal; count the child's lines wherever they are.)
    assert sorted(map(int, re.findall(r"child (\d+)\n", out))) == list(range(300))
    assert out.endswith("parent done\n") and "finished" in out
    stored = "\n".join(t for _s, _t, t in stored_lines(only_run(tmp_path)))
    assert "before finish" in stored and "finished" not in stored and "parent done" not in stored
