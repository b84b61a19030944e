"""Faults a sync survives, ending with the server holding exactly the local run: injected 5xx, timeouts, a
connection cut mid-body or before the answer, a slow server, the server SIGKILLed mid-sync and restarted on the
same storage, the client SIGKILLed mid-sync, two syncs of one run at once (one server; two instances on
PostgreSQL + S3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from server import infra

from tidelog.errors import ServerError
from tidelog.remote.http import ServerClient
from tidelog.sync.engine import RunSync
from tidelog.sync.replica import HttpReplica
from tidelog.sync.retry import Retrying

from . import helpers
from .faultproxy import FaultProxy

SMALL = 2 << 10   # batch bytes: about one chunk per request


def _big_run(tmp_path, bursts=40):
    """A run of many WAL chunks (TIDELOG_FSYNC=batch: the sender writes at once; a pause after each burst)."""
    body = f"""
        import time
        for k in range({bursts}):
            for i in range(1000):
                run.log({{"burst": float(k), "x": float(i)}})
            time.sleep(0.03)
    """
    return helpers.log_run(tmp_path / "runs", body=body, steps=1000, media=3, TIDELOG_FSYNC="batch")


def _syncer(url, run_dir, timeout=10.0, give_up=30.0, **kw):
    replica = Retrying(HttpReplica(ServerClient(url, timeout=timeout)), give_up_after=give_up, base=0.02, cap=0.2)
    return RunSync(replica, run_dir, batch_bytes=SMALL, **kw), replica


def test_injected_5xx_timeouts_and_cuts(server, tmp_path):
    run_dir = _big_run(tmp_path)
    proxy = FaultProxy(server, stall_s=2.0)
    try:
        proxy.add("POST", "/wal", "503", "cut-answer", "ok", "cut-body", "stall", "cut-answer")
        proxy.add("GET", "/wal", "503", "cut-answer")
        proxy.add("POST", "/media/missing", "503")
        proxy.add("PUT", "/media/", "cut-body", "cut-answer", "503")
        sync, replica = _syncer(proxy.url, run_dir, timeout=1.0)
        res = sync.run()
    finally:
        proxy.close()
    assert not proxy.faults, f"faults not reached: {proxy.faults}"
    assert replica.retries >= 11
    assert res.acked_seq == res.local_seq
    helpers.assert_same(server, run_dir)
    again, _ = _syncer(server, run_dir)
    r2 = again.run()
    assert r2.requests == 0 and r2.files == 0


def test_slow_acknowledging_server(server, tmp_path):
    run_dir = helpers.log_run(tmp_path / "runs", steps=5000, media=1, TIDELOG_FSYNC="batch")
    proxy = FaultProxy(server, delay_s=0.3)
    try:
        sync, replica = _syncer(proxy.url, run_dir, timeout=5.0)
        res = sync.run()
    finally:
        proxy.close()
    assert replica.retries == 0 and res.requests >= 1
    helpers.assert_same(server, run_dir)


def test_4xx_stops_the_run_with_the_servers_message(server, tmp_path):
    run_dir = helpers.log_run(tmp_path / "runs", steps=100, media=0)
    proxy = FaultProxy(server)
    sync, replica = _syncer(proxy.url, run_dir)
    try:
        # a body the server refuses: the client's own chunks, corrupted on the way
        orig = replica.inner.write
        replica.inner.write = lambda p, r, after, body: orig(p, r, after, body[:-1] + bytes([body[-1] ^ 1]))
        with pytest.raises(ServerError) as err:
            sync.run()
    finally:
        proxy.close()
    assert err.value.status == 400 and "malformed WAL batch" in str(err.value)
    assert replica.retries == 0


def _start_server(args, env, port, log):
    return subprocess.Popen([sys.executable, "-m", "tidelog", "server", "--port", str(port), *args],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})


def _wait_up(url, proc):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            httpx.get(url + "/api/v1/status", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


def test_server_sigkilled_mid_sync_then_restarted(backend, tmp_path):
    args, env = backend
    run_dir = _big_run(tmp_path)
    port = infra.free_port()
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "ab") as log:
        proc = _start_server(args, env, port, log)
        _wait_up(url, proc)
        proxy = FaultProxy(url, delay_s=0.05)   # slow enough to be caught mid-sync
        sync, _ = _syncer(proxy.url, run_dir, give_up=1.0)
        box = {}
        t = threading.Thread(target=lambda: box.setdefault("err", _catch(sync.run)))
        t.start()
        deadline = time.monotonic() + 60
        while (sync.result.requests < 5) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        t.join(60)
        proxy.close()
        assert isinstance(box["err"], ServerError), box   # the first sync fails: the server is gone
        assert 0 < sync.result.acked_seq < sync.result.local_seq or sync.result.local_seq == 0
        proc = _start_server(args, env, port, log)
        try:
            _wait_up(url, proc)
            second = helpers.sync(str(run_dir), "--server", url)
            assert second.returncode == 0, second.stdout + second.stderr
            assert "nothing to send" not in second.stdout
            helpers.assert_same(url, run_dir)
            third = helpers.sync(str(run_dir), "--server", url)
            assert third.returncode == 0 and "nothing to send" in third.stdout, third.stdout
        finally:
            infra.stop(proc)


def _catch(fn):
    try:
        fn()
    except ServerError as err:
        return err
    return None


def test_client_sigkilled_mid_sync_then_restarted(server, tmp_path):
    run_dir = _big_run(tmp_path)
    proxy = FaultProxy(server, delay_s=0.05)
    try:
        code = (f"import sys; sys.argv = ['tidelog', 'sync', '--no-progress', {str(run_dir)!r}, '--server', "
                f"{proxy.url!r}]; import tidelog.sync.engine as e; e.RunSync.__init__.__defaults__ = "
                f"(2 << 10,) + e.RunSync.__init__.__defaults__[1:]; from tidelog.cli.main import main; main()")
        client = subprocess.Popen([sys.executable, "-c", code], env=helpers.env(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if httpx.get(f"{server}/api/v1/runs").json()["total"] and _acked(server, run_dir) > 0:
                break
            time.sleep(0.05)
        os.kill(client.pid, signal.SIGKILL)
        client.wait()
    finally:
        proxy.close()
    acked = _acked(server, run_dir)
    local = helpers.local_run(run_dir)
    assert acked > 0
    res = helpers.sync(str(run_dir), "--server", server)
    assert res.returncode == 0, res.stdout + res.stderr
    helpers.assert_same(server, run_dir)
    assert local.state == "finished"


def _acked(url, run_dir):
    from tidelog.sync.source import identity

    project, run_id = identity(run_dir)
    return httpx.get(f"{url}/api/v1/runs/{project}/{run_id}/wal").json()["acked_seq"]


def test_two_syncs_of_one_run_at_once(server, tmp_path):
    run_dir = _big_run(tmp_path, bursts=20)
    procs = [subprocess.Popen([sys.executable, "-m", "tidelog", "sync", "--no-progress", str(run_dir), "--server",
                               server], env=helpers.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    helpers.assert_same(server, run_dir)


def test_two_syncs_at_once_through_two_instances(pg, s3, tmp_path):
    url = infra.createdb(pg, "twoinst")
    infra.make_bucket(s3, "ts-twoinst")
    args = ["--root", str(tmp_path / "srv"), "--database", url, "--store", "s3://ts-twoinst/pre"]
    run_dir = _big_run(tmp_path, bursts=20)
    with infra.server(args, s3["env"], tmp_path) as a, infra.server(args, s3["env"], tmp_path) as b:
        syncs = [_syncer(u, run_dir)[0] for u in (a, b)]
        errors = []
        threads = [threading.Thread(target=lambda s=s: errors.append(_catch(s.run))) for s in syncs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == [None, None]
        helpers.assert_same(a, run_dir)
        helpers.assert_same(b, run_dir)


def test_two_syncs_of_a_crashed_run_at_once(server, tmp_path):
    from .test_sync_cli import crashed_run

    run_dir = crashed_run(tmp_path / "runs")
    procs = [subprocess.Popen([sys.executable, "-m", "tidelog", "sync", "--no-progress", str(run_dir), "--server",
                               server], env=helpers.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert helpers.assert_same(server, run_dir)["state"] == "crashed"


def test_the_servers_acknowledgement_is_the_truth_not_the_cursor(tmp_path):
    """A server that lost the run (restored from an older backup, or emptied) at the same URL: the cursor
    says synced, the server says seq 0, and everything is sent again."""
    run_dir = helpers.log_run(tmp_path / "runs", steps=200, media=1)
    port = infra.free_port()
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "ab") as log:
        for root in ("first", "empty"):
            proc = _start_server(["--root", str(tmp_path / root)], {}, port, log)
            try:
                _wait_up(url, proc)
                res = helpers.sync(str(run_dir), "--server", url)
                assert res.returncode == 0 and "1 file(s)" in res.stdout, res.stdout + res.stderr
                helpers.assert_same(url, run_dir)
            finally:
                infra.stop(proc)
