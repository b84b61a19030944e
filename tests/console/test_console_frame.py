"""The wrap capture's lines travel in a console frame that grows in place (transport/ring.py: the open
frame). What was written into it survives the trainer's death, both processes' deaths and a sender
restart, exactly once; the ring never shows a frame that was not whole."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from _console_helpers import PY, clean_env, only_run, state_of, stored_lines, write_script

from tidelog.transport.frames import CONSOLE_ENTRY, TAG_CONSOLE_LINES, console_entries
from tidelog.transport.ring import FRAME_HEADER, Ring, frame_size

PRINT_FOREVER = r'''
import os, sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c", id="printer")
print("pid", run._link.supervisor.pid, flush=True)
i = 0
while True:
    print(f"line {i}", flush=True)   # on a pipe: what the parent got had reached the OS
    if i % 10 == 0:
        run.log({"i": i})
    i += 1
'''


def _printed(stdout: bytes) -> list[str]:
    """The whole lines received after the first (read already); the kill may have cut the last one."""
    return stdout.decode().split("\n")[:-1]


def _wait_crashed(run_dir: Path) -> None:
    deadline = time.monotonic() + 60
    while state_of(run_dir) != "crashed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state_of(run_dir) == "crashed"


def test_lines_in_the_open_frame_survive_both_processes_killed_then_recover(tmp_path):
    script = write_script(tmp_path, PRINT_FOREVER)
    proc = subprocess.Popen([PY, str(script), str(tmp_path)], env=clean_env(), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout.readline().startswith(b"pid")
    time.sleep(1.0)
    family = [proc.pid] + [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    for pid in family:   # as a job scheduler's kill: trainer and sender at once
        os.kill(pid, signal.SIGKILL)
    with proc.stdout:
        out = proc.stdout.read()   # the same buffered reader as readline(): nothing it read ahead is skipped
    proc.wait(timeout=30)
    printed = _printed(out)
    assert len(printed) > 100
    res = subprocess.run([PY, "-m", "tidelog", "recover"], env=clean_env(), capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    run_dir = only_run(tmp_path)
    _wait_crashed(run_dir)
    first, *stored = [t for s, _t, t in stored_lines(run_dir) if s == "stdout"]
    assert first.startswith("pid")
    # Every line the pipe received is stored once, in order; at most the one the kill cut is extra.
    assert stored[: len(printed)] == printed
    assert len(stored) <= len(printed) + 1


def test_a_sender_killed_while_lines_are_printed_loses_and_repeats_nothing(tmp_path):
    script = write_script(tmp_path, r'''
import os, signal, sys, time, tidelog
run = tidelog.init(dir=sys.argv[1], project="c")
for i in range(int(sys.argv[2])):
    print(f"line {i}")
    if i in (3000, 8000):
        os.kill(run._link.supervisor.pid, signal.SIGKILL)   # mid-frame: a new sender takes over
    if i in (3200, 8200):
        time.sleep(2.0)   # the new sender writes the backlog (it is not counted as failing)
run.finish()
''')
    n = 12000
    proc = subprocess.run([PY, str(script), str(tmp_path), str(n)], env=clean_env(), cwd=tmp_path,
                          capture_output=True, timeout=180)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    run_dir = only_run(tmp_path)
    assert state_of(run_dir) == "finished"
    assert [t for s, _t, t in stored_lines(run_dir) if s == "stdout"] == [f"line {i}" for i in range(n)]


# -- the ring's open frame, unit by unit ---------------------------------------------


def _entry(stream: int, ts: float, text: str) -> bytes:
    data = text.encode()
    return CONSOLE_ENTRY.pack(len(data), stream, ts) + data


def _grow(ring: Ring, frame_no: int, entries: list[bytes]) -> int:
    """Open a console frame and write entries into it, as the trainer does; its payload length."""
    off = ring.open_frame(1024, TAG_CONSOLE_LINES)
    ring.mm[off : off + 8] = frame_no.to_bytes(8, "little")
    used = 8
    for e in entries:
        ring.mm[off + used : off + used + len(e)] = e
        used += len(e)
        FRAME_HEADER.pack_into(ring.mm, off - 8, used, TAG_CONSOLE_LINES, 0)
    return used


def _frames(ring: Ring) -> list[tuple[int, bytes]]:
    return [(tag, bytes(ring.mm[off : off + n])) for tag, off, n, _ in ring.frames(ring.read_pos, ring.write_pos)]


@pytest.fixture
def ring(tmp_path):
    r = Ring.create(tmp_path / "r.ring", 64 * 1024)
    yield r
    r.close()


def test_an_open_frame_is_invisible_until_closed_and_then_whole(ring):
    used = _grow(ring, 7, [_entry(0, 1.0, "a"), _entry(1, 2.0, "b")])
    assert ring.write_pos == 0 and ring.open_bytes == used
    ring.close_open(used)
    assert ring.open_bytes == 0 and ring.write_pos == frame_size(used)
    [(tag, payload)] = _frames(ring)
    assert tag == TAG_CONSOLE_LINES and list(console_entries(payload)) == [(0, 1.0, "a"), (1, 2.0, "b")]
    assert not ring.adopt_open()   # a closed frame is never published twice


def test_a_frame_left_open_is_adopted_with_its_whole_entries_only(tmp_path, ring):
    _grow(ring, 3, [_entry(0, 1.0, "kept")])
    # A kill in the middle of the next entry: its bytes are there, the header does not count them.
    off = ring.mm.find(b"kept") + 4
    ring.mm[off : off + 20] = _entry(0, 2.0, "torn, never counted")[:20]
    other = Ring.attach(ring.path)   # the consumer's view, after the producer died
    try:
        assert other.adopt_open() and other.open_bytes == 0
        [(tag, payload)] = _frames(other)
        assert int.from_bytes(payload[:8], "little") == 3 and list(console_entries(payload)) == [(0, 1.0, "kept")]
        assert not other.adopt_open()
    finally:
        other.close()


def test_an_open_frame_after_a_wrap_is_adopted_past_the_padding(ring):
    big = ring.capacity - 600   # leaves less room at the end than the open frame's reservation
    off = ring.reserve(big)
    FRAME_HEADER.pack_into(ring.mm, off - 8, big, 1, 0)
    ring.publish()
    ring.ack(ring.write_pos)   # the consumer took it
    _grow(ring, 9, [_entry(0, 5.0, "after the wrap")])
    assert ring.adopt_open()
    [(tag, payload)] = _frames(ring)
    assert list(console_entries(payload)) == [(0, 5.0, "after the wrap")]
