"""What was printed before a ``kill -9`` is stored; a stopped sender never holds up a ``print``."""

from __future__ import annotations

import re
import subprocess
import time

from _console_helpers import PY, clean_env, only_run, state_of, stored_lines, write_script

N = 3000


def test_lines_printed_just_before_sigkill_are_stored_and_shown(tmp_path):
    # The tee thread is parked first, so every line is still in the pipe at the kill: what is
    # stored and shown must come from the sender's drain (without it, nothing would be).
    script = write_script(tmp_path, r'''
import os, signal, sys, threading, time, tidelog
run = tidelog.init(dir=sys.argv[1], project="c")
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
    run_dir = only_run(tmp_path)
    deadline = time.monotonic() + 30
    while state_of(run_dir) != "crashed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state_of(run_dir) == "crashed"
    assert [t for _s, _t, t in stored_lines(run_dir)] == want


def test_a_stopped_sender_never_blocks_prints(tmp_path):
    """The sender is SIGSTOPped while the script prints far more than the ring, the pipe and the
    pty hold; the prints must all return (else the script never reaches SIGCONT and the test
    times out), and every line is stored once the sender continues."""
    script = write_script(tmp_path, r'''
import os, signal, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c")
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
    proc = subprocess.run([PY, str(script), str(tmp_path), str(n)], env=clean_env(TIDELOG_RING_MB="1"),
                          cwd=tmp_path, capture_output=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert b"printed all" in proc.stderr
    assert proc.stdout.count(b"\n") == n
    lines = [t for s, _t, t in stored_lines(only_run(tmp_path)) if s == "stdout"]
    assert lines == [f"line {i} " + "x" * 100 for i in range(n)]


def test_children_outliving_finish_still_reach_the_terminal(tmp_path):
    """A child holding the captured stdout keeps printing after finish(): its lines reach the
    terminal (no longer stored), and finish() does not wait for it."""
    script = write_script(tmp_path, r'''
import subprocess, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c")
child = subprocess.Popen(["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo child $i; i=$((i+1)); sleep 0.003; done"])
print("before finish", flush=True)
run.finish()
print("finished", flush=True)
child.wait()
print("parent done", flush=True)
''')
    proc = subprocess.run([PY, str(script), str(tmp_path)], env=clean_env(), cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout.decode()
    # (print writes "text" and "\n" apart when unbuffered: a child line may land between them,
    # as it would on any terminal; count the child's lines wherever they are.)
    assert sorted(map(int, re.findall(r"child (\d+)\n", out))) == list(range(300))
    assert out.endswith("parent done\n") and "finished" in out
    stored = "\n".join(t for _s, _t, t in stored_lines(only_run(tmp_path)))
    assert "before finish" in stored and "finished" not in stored and "parent done" not in stored
