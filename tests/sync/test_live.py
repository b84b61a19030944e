"""Live runs: ``tidelog sync --follow`` tails a run until it finishes or crashes; live mode
(``init(mode="online")``, ``WANDB_MODE=online`` + ``TIDELOG_SERVER``) streams the WAL from the sender; an
unreachable server leaves the run offline with one warning; ``tidelog server --watch DIR`` follows every run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
from server import infra

from . import helpers
from .test_sync_cli import _kill_family


def _trainer(base: Path, seconds: float, mode: str = "", wait_for_kill: bool = False, **env) -> subprocess.Popen:
    """A training process logging for about ``seconds``; prints "logged" when done (then waits to be killed)."""
    script = textwrap.dedent(f"""
        import time, numpy as np, tidelog
        run = tidelog.init(dir={str(base)!r}, project="live", config={{"lr": 0.1}}{', mode=' + repr(mode) if mode else ''})
        print("started", flush=True)
        t0 = time.time(); i = 0
        while time.time() - t0 < {seconds}:
            run.log({{"loss": 1.0 / (i + 1), "i": i}})
            if i % 500 == 0:
                run.log({{"img": tidelog.Image(np.full((8, 8, 3), (i // 500) % 255, np.uint8))}})
                time.sleep(0.05)
            i += 1
        print("logged", flush=True)
        if {wait_for_kill}:
            time.sleep(120)
        run.finish()
    """)
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=helpers.env(**env))


def _rows_on(url: str) -> int:
    runs = httpx.get(f"{url}/api/v1/runs").json()["runs"]
    return sum(r["rows"] for r in runs)


def _wait(cond, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_follow_tails_a_live_run_until_it_finishes(server, tmp_path):
    base = tmp_path / "runs"
    trainer = _trainer(base, 4.0)
    assert trainer.stdout.readline().strip() == "started"
    run_dir = helpers.newest_run(base)
    follow = subprocess.Popen([sys.executable, "-m", "tidelog", "sync", "--follow", "--no-progress", str(run_dir),
                               "--server", server], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=helpers.env())
    assert _wait(lambda: _rows_on(server) > 0, 10), "nothing arrived while the run was live"
    assert trainer.poll() is None     # still training: the follow is live
    trainer.communicate(timeout=60)
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, out + err
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "finished"


def test_follow_ends_when_the_run_crashes(server, tmp_path):
    base = tmp_path / "runs"
    trainer = _trainer(base, 1.0, wait_for_kill=True)
    assert trainer.stdout.readline().strip() == "started"
    run_dir = helpers.newest_run(base)
    follow = subprocess.Popen([sys.executable, "-m", "tidelog", "sync", "--follow", "--no-progress", str(run_dir),
                               "--server", server], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=helpers.env())
    assert trainer.stdout.readline().strip() == "logged"
    assert _wait(lambda: _rows_on(server) > 0, 30)   # the sender has written, the follow has sent some
    assert follow.poll() is None
    trainer.stderr.close()
    _kill_family(trainer)
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, out + err
    assert "[crashed]" in out
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "crashed"


def test_live_mode_streams_while_logging(server, tmp_path):
    base = tmp_path / "runs"
    trainer = _trainer(base, 4.0, mode="online", TIDELOG_SERVER=server)
    assert trainer.stdout.readline().strip() == "started"
    assert _wait(lambda: _rows_on(server) > 0, 10), "nothing streamed while the run was live"
    assert trainer.poll() is None
    _out, err = trainer.communicate(timeout=60)
    assert trainer.returncode == 0 and "live mode" not in err, err
    run_dir = helpers.newest_run(base)
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "finished"
    res = helpers.sync(str(run_dir), "--server", server)
    assert "nothing to send" in res.stdout, res.stdout


def test_wandb_mode_online_unreachable_server_goes_offline_with_one_warning(tmp_path, backend):
    base = tmp_path / "runs"
    dead = f"http://127.0.0.1:{infra.free_port()}"
    trainer = _trainer(base, 1.5, WANDB_MODE="online", TIDELOG_SERVER=dead)
    _out, err = trainer.communicate(timeout=90)
    assert trainer.returncode == 0, err
    assert err.count("WARNING: live mode") == 1, err
    assert "goes on offline" in err and "tidelog sync" in err
    run_dir = helpers.newest_run(base)
    assert helpers.local_run(run_dir).state == "finished"
    args, env = backend
    with infra.server(args, env, tmp_path) as url:
        res = helpers.sync(str(run_dir), "--server", url)
        assert res.returncode == 0, res.stdout + res.stderr
        helpers.assert_same(url, run_dir)


def test_server_watch_follows_every_run_new_ones_too(tmp_path):
    base = tmp_path / "runs"
    old = helpers.log_run(base, steps=300, media=1)
    with infra.server(["--root", str(tmp_path / "srv"), "--watch", str(base)], {}, tmp_path) as url:
        trainer = _trainer(base, 3.0)
        assert trainer.stdout.readline().strip() == "started"
        new = helpers.newest_run(base)
        assert new != old
        assert _wait(lambda: len(httpx.get(f"{url}/api/v1/runs").json()["runs"]) == 2, 20)
        trainer.communicate(timeout=60)

        def caught_up() -> bool:
            try:
                helpers.assert_same(url, new)
                return True
            except AssertionError:
                return False

        assert _wait(caught_up, 20)
        helpers.assert_same(url, old)


def test_sync_of_a_running_run_sends_what_it_has_and_never_calls_it_crashed(tmp_path):
    base = tmp_path / "runs"
    with infra.server(["--root", str(tmp_path / "srv")], {}, tmp_path) as url:
        trainer = _trainer(base, 1.0, wait_for_kill=True)
        assert trainer.stdout.readline().strip() == "started"
        assert trainer.stdout.readline().strip() == "logged"
        run_dir = helpers.newest_run(base)
        from tidelog.read.run import RunState

        assert _wait(lambda: RunState.load(run_dir).rows > 0, 30)   # the sender has written some
        res = helpers.sync(str(run_dir), "--server", url)
        assert res.returncode == 0, res.stdout + res.stderr
        assert _rows_on(url) > 0
        assert httpx.get(f"{url}/api/v1/runs").json()["runs"][0]["state"] == "running"
        ls = subprocess.run([sys.executable, "-m", "tidelog", "ls", str(base)], capture_output=True, text=True,
                            check=True, env=helpers.env())
        assert " partial" in ls.stdout, ls.stdout
        trainer.stderr.close()
        _kill_family(trainer)
        res = helpers.sync(str(run_dir), "--server", url)
        assert "[crashed]" in res.stdout, res.stdout
        helpers.assert_same(url, run_dir)
