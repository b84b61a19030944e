"""``tidelog sync`` end to end: exactly the local run on the server, a re-sync sends nothing, crashed and
damaged runs, a wrong key, one bad run in a batch, and ``tidelog ls``'s sync state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import httpx
import psutil

from tidelog.wal.verify import verify_wal

from . import helpers


def test_sync_then_resync_sends_nothing(server, tmp_path):
    run_dir = helpers.log_run(tmp_path / "runs", steps=3000, media=3)
    first = helpers.sync(str(run_dir), "--server", server)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "synced  sy/" in first.stdout and "3 file(s)" in first.stdout
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "finished" and detail["damage"] == []
    again = helpers.sync(str(run_dir), "--server", server)
    assert again.returncode == 0 and "nothing to send" in again.stdout, again.stdout + again.stderr
    ls = subprocess.run([sys.executable, "-m", "tidelog", "ls", str(tmp_path / "runs"), "--json"],
                        capture_output=True, text=True, check=True, env=helpers.env())
    [info] = json.loads(ls.stdout)
    assert [s["state"] for s in info["sync"]] == ["synced"]


def test_sync_by_run_id_and_ls_partial_after_resume(tmp_path, server):
    base = tmp_path / "runs"
    run_dir = helpers.log_run(base, steps=500, media=0)
    run_id = run_dir.name.rsplit("-", 1)[-1]
    res = helpers.sync(run_id, "--server", server, TIDELOG_DIR=str(base))
    assert res.returncode == 0, res.stdout + res.stderr
    script = textwrap.dedent(f"""
        import tidelog
        run = tidelog.init(dir={str(base)!r}, project="sy", id={run_id!r}, resume="allow")
        for i in range(100):
            run.log({{"loss": 0.5}})
        run.finish()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, env=helpers.env(), timeout=60)
    ls = subprocess.run([sys.executable, "-m", "tidelog", "ls", str(base)], capture_output=True, text=True,
                        check=True, env=helpers.env())
    assert "partial (" in ls.stdout and "seqs" in ls.stdout, ls.stdout
    res = helpers.sync("--all", str(base), "--server", server)
    assert res.returncode == 0, res.stdout + res.stderr
    helpers.assert_same(server, run_dir)
    ls = subprocess.run([sys.executable, "-m", "tidelog", "ls", str(base)], capture_output=True, text=True,
                        check=True, env=helpers.env())
    assert " synced" in ls.stdout and "partial" not in ls.stdout


def test_never_synced_in_ls(tmp_path):
    helpers.log_run(tmp_path / "runs", steps=10, media=0)
    ls = subprocess.run([sys.executable, "-m", "tidelog", "ls", str(tmp_path / "runs")], capture_output=True,
                        text=True, check=True, env=helpers.env())
    assert ls.stdout.splitlines()[1].rstrip().endswith("never")


def _kill_family(proc: subprocess.Popen) -> None:
    family = [psutil.Process(proc.pid)] + psutil.Process(proc.pid).children(recursive=True)
    for p in family:
        os.kill(p.pid, signal.SIGKILL)
    proc.wait()
    psutil.wait_procs(family, timeout=10)   # the sender is not our child: wait until it is gone
    if proc.stdout is not None:
        proc.stdout.close()


def crashed_run(base) -> object:
    """A run whose trainer and sender were both SIGKILLed: no exit record, both locks free."""
    script = textwrap.dedent(f"""
        import sys, time, tidelog
        run = tidelog.init(dir={str(base)!r}, project="sy", config={{"lr": 0.1}})
        for i in range(2000):
            run.log({{"loss": float(i)}})
        from tidelog.read.run import RunState
        while RunState.load(run.dir).rows < 2000:   # the sender has written it all
            time.sleep(0.05)
        print("ready", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=helpers.env())
    assert proc.stdout.readline().strip() == "ready"
    _kill_family(proc)
    run_dir = helpers.newest_run(base)
    helpers.reboot_rings(run_dir)
    return run_dir


def test_crashed_run_syncs_and_is_marked_crashed(server, tmp_path):
    run_dir = crashed_run(tmp_path / "runs")
    assert helpers.local_run(run_dir).state == "crashed"
    res = helpers.sync(str(run_dir), "--server", server)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[crashed]" in res.stdout
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "crashed"
    again = helpers.sync(str(run_dir), "--server", server)
    assert "nothing to send" in again.stdout


def _damage_middle(run_dir) -> None:
    """Flip bytes inside the payload of a chunk in the middle of the WAL."""
    from tidelog.wal.reader import WalReader

    chunks = list(WalReader(run_dir / "wal").chunks())
    assert len(chunks) >= 5, len(chunks)
    c = chunks[len(chunks) // 2]
    path = run_dir / "wal" / c.segment
    data = bytearray(path.read_bytes())
    mid = c.offset + 48 + c.header.payload_len // 2
    data[mid:mid + 8] = bytes(b ^ 0xFF for b in data[mid:mid + 8])
    path.write_bytes(bytes(data))


def test_damaged_chunk_in_the_middle(server, tmp_path):
    body = """
        import time
        for k in range(6):
            for i in range(200):
                run.log({"late": float(k * 200 + i)})
            time.sleep(0.5)   # one WAL write (chunk) per burst
    """
    run_dir = helpers.log_run(tmp_path / "runs", body=body, steps=300, media=1, TIDELOG_FSYNC="batch")
    _damage_middle(run_dir)
    report = verify_wal(run_dir / "wal")
    assert len(report.damage) == 1
    res = helpers.sync(str(run_dir), "--server", server)
    assert res.returncode == 0, res.stdout + res.stderr
    d = report.damage[0]
    assert f"1 damaged region(s) ({d.length:,} bytes) skipped" in res.stdout
    detail = helpers.assert_same(server, run_dir)   # the intact records, exactly
    assert detail["damage"] == [{"segment": d.segment, "offset": d.offset, "length": d.length, "reason": d.reason}]
    assert detail["state"] == "finished"
    again = helpers.sync(str(run_dir), "--server", server)
    assert "nothing to send" in again.stdout


def test_wrong_api_key_stores_nothing(backend, tmp_path):
    from server import infra

    args, env = backend
    key_args = [a for i, a in enumerate(args) if "--store" not in (a, args[i - 1])]
    key = subprocess.run([sys.executable, "-m", "tidelog", "server", "keys", "create", *key_args],
                         capture_output=True, text=True, check=True, env=helpers.env(**env)).stdout.strip()
    run_dir = helpers.log_run(tmp_path / "runs", steps=100, media=1)
    with infra.server(args, env, tmp_path) as url:
        res = helpers.sync(str(run_dir), "--server", url, "--api-key", "tl_wrong")
        assert res.returncode == 1
        assert "FAILED" in res.stdout and "401" in res.stdout and "key" in res.stdout.lower(), res.stdout
        assert httpx.get(f"{url}/api/v1/runs").json()["total"] == 0
        res = helpers.sync(str(run_dir), "--server", url, TIDELOG_API_KEY=key)
        assert res.returncode == 0, res.stdout + res.stderr
        helpers.assert_same(url, run_dir)


def test_one_bad_run_never_stops_the_batch(tmp_path, server):
    base = tmp_path / "runs"
    good = helpers.log_run(base, steps=50, media=0)
    bad = base / "tidelog" / "run-20200101_000000-badbad00"
    (bad / "wal").mkdir(parents=True)
    from tidelog.wal.format import SegmentHeader, encode_segment_header

    newer = encode_segment_header(SegmentHeader(version=99, flags=0, index=0, first_seq=1))
    (bad / "wal" / "000000.wal").write_bytes(newer)   # a WAL from a newer tidelog: unreadable here
    later = helpers.log_run(base, steps=50, media=0)
    res = helpers.sync("--all", str(base), "nosuchrun", "--server", server)
    assert res.returncode == 1
    assert "FAILED  nosuchrun" in res.stdout and f"FAILED  {bad}" in res.stdout, res.stdout
    assert res.stdout.count("synced  sy/") == 2
    helpers.assert_same(server, good)
    helpers.assert_same(server, later)


def test_media_the_server_has_are_not_sent_again(server, tmp_path):
    first = helpers.log_run(tmp_path / "a", steps=10, media=2)
    second = helpers.log_run(tmp_path / "b", steps=10, media=2)   # the same two images
    res = helpers.sync(str(first), "--server", server)
    assert ", 2 file(s)" in res.stdout, res.stdout
    res = helpers.sync(str(second), "--server", server)
    assert res.returncode == 0 and ", 0 file(s)" in res.stdout, res.stdout
    helpers.assert_same(server, second)
