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
import pytest
from server import infra

from . import helpers
from .test_sync_cli import _kill_family


class Trainer:
    """A training process that logs until ``stop()`` (at most two minutes), then finishes its run."""

    def __init__(self, base: Path, mode: str = "", **env) -> None:
        self.stop_file = base.parent / f"stop-{base.name}-{time.monotonic_ns()}"
        script = textwrap.dedent(f"""
            import os, time, numpy as np, tidelog
            run = tidelog.init(dir={str(base)!r}, project="live", config={{"lr": 0.1}}{', mode=' + repr(mode) if mode else ''})
            print("started", flush=True)
            t0 = time.time(); i = 0
            while not os.path.exists({str(self.stop_file)!r}) and time.time() - t0 < 120:
                run.log({{"loss": 1.0 / (i + 1), "i": i}})
                if i % 500 == 0:
                    run.log({{"img": tidelog.Image(np.full((8, 8, 3), (i // 500) % 255, np.uint8))}})
                    time.sleep(0.05)
                i += 1
            run.finish()
        """)
        self.proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=helpers.env(**env))
        assert self.proc.stdout.readline().strip() == "started"

    def stop(self, timeout: float = 60) -> str:
        """Let it finish; its stderr."""
        self.stop_file.touch()
        _out, err = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode == 0, err
        return err

    def kill(self) -> None:
        """SIGKILL the trainer and its sender: a crash that leaves no exit record."""
        self.proc.stderr.close()
        _kill_family(self.proc)


@pytest.fixture
def trainer(tmp_path):
    made: list[Trainer] = []

    def make(base: Path, mode: str = "", **env) -> Trainer:
        made.append(Trainer(base, mode, **env))
        return made[-1]

    yield make
    for t in made:   # a failed test leaves no process and no open pipe behind
        if t.proc.poll() is None:
            t.stop_file.touch()
            try:
                t.proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                t.proc.kill()
                t.proc.communicate()
        for f in (t.proc.stdout, t.proc.stderr):
            if f is not None and not f.closed:
                f.close()


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


def _follow(run_dir: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tidelog", "sync", "--follow", "--no-progress", str(run_dir),
                             "--server", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=helpers.env())


def test_follow_tails_a_live_run_until_it_finishes(server, tmp_path, trainer):
    base = tmp_path / "runs"
    t = trainer(base)
    run_dir = helpers.newest_run(base)
    follow = _follow(run_dir, server)
    try:
        assert _wait(lambda: _rows_on(server) > 0, 60), "nothing arrived while the run was live"
        assert follow.poll() is None
        t.stop()
        out, err = follow.communicate(timeout=60)
    finally:
        if follow.poll() is None:
            follow.kill()
            follow.communicate()
    assert follow.returncode == 0, out + err
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "finished"


def test_follow_ends_when_the_run_crashes(server, tmp_path, trainer):
    base = tmp_path / "runs"
    t = trainer(base)
    run_dir = helpers.newest_run(base)
    follow = _follow(run_dir, server)
    try:
        assert _wait(lambda: _rows_on(server) > 0, 60)   # the sender has written, the follow has sent some
        assert follow.poll() is None
        t.kill()
        out, err = follow.communicate(timeout=60)
    finally:
        if follow.poll() is None:
            follow.kill()
            follow.communicate()
    assert follow.returncode == 0, out + err
    assert "[crashed]" in out
    helpers.drain_orphans(run_dir)   # what the killed pair left in shared memory is the run's too
    res = helpers.sync(str(run_dir), "--server", server)
    assert res.returncode == 0, res.stdout + res.stderr
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "crashed"


def test_live_mode_streams_while_logging(server, tmp_path, trainer):
    base = tmp_path / "runs"
    t = trainer(base, mode="online", TIDELOG_SERVER=server)
    assert _wait(lambda: _rows_on(server) > 0, 60), "nothing streamed while the run was live"
    err = t.stop()
    assert "live mode" not in err, err
    run_dir = helpers.newest_run(base)
    detail = helpers.assert_same(server, run_dir)
    assert detail["state"] == "finished"
    res = helpers.sync(str(run_dir), "--server", server)
    assert "nothing to send" in res.stdout, res.stdout


def test_wandb_mode_online_unreachable_server_goes_offline_with_one_warning(tmp_path, backend, trainer):
    base = tmp_path / "runs"
    dead = f"http://127.0.0.1:{infra.free_port()}"
    t = trainer(base, WANDB_MODE="online", TIDELOG_SERVER=dead)
    time.sleep(1.0)
    err = t.stop(timeout=90)
    assert err.count("WARNING: live mode") == 1, err
    assert "goes on offline" in err and "tidelog sync" in err
    run_dir = helpers.newest_run(base)
    assert helpers.local_run(run_dir).state == "finished"
    args, env = backend
    with infra.server(args, env, tmp_path) as url:
        res = helpers.sync(str(run_dir), "--server", url)
        assert res.returncode == 0, res.stdout + res.stderr
        helpers.assert_same(url, run_dir)


def test_server_watch_follows_every_run_new_ones_too(tmp_path, trainer):
    base = tmp_path / "runs"
    old = helpers.log_run(base, steps=300, media=1)
    with infra.server(["--root", str(tmp_path / "srv"), "--watch", str(base)], {}, tmp_path) as url:
        t = trainer(base)
        new = helpers.newest_run(base)
        assert new != old
        assert _wait(lambda: len(httpx.get(f"{url}/api/v1/runs").json()["runs"]) == 2 and _rows_on(url) > 300, 60)
        t.stop()

        def caught_up() -> bool:
            try:
                helpers.assert_same(url, new)
                return True
            except AssertionError:
                return False

        assert _wait(caught_up, 30)
        helpers.assert_same(url, old)


def test_sync_of_a_running_run_sends_what_it_has_and_never_calls_it_crashed(tmp_path, trainer):
    from tidelog.read.run import RunState

    base = tmp_path / "runs"
    with infra.server(["--root", str(tmp_path / "srv")], {}, tmp_path) as url:
        t = trainer(base)
        run_dir = helpers.newest_run(base)
        assert _wait(lambda: RunState.load(run_dir).rows > 0, 60)   # the sender has written some
        res = helpers.sync(str(run_dir), "--server", url)
        assert res.returncode == 0, res.stdout + res.stderr
        assert _rows_on(url) > 0
        assert httpx.get(f"{url}/api/v1/runs").json()["runs"][0]["state"] == "running"
        ls = subprocess.run([sys.executable, "-m", "tidelog", "ls", str(base)], capture_output=True, text=True,
                            check=True, env=helpers.env())
        assert " partial" in ls.stdout, ls.stdout
        t.kill()
        helpers.drain_orphans(run_dir)
        res = helpers.sync(str(run_dir), "--server", url)
        assert "[crashed]" in res.stdout, res.stdout
        helpers.assert_same(url, run_dir)
