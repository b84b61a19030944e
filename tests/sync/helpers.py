"""Runs logged by real trainer processes, ``tidelog sync`` as a process, and the check that a server
holds exactly what the run directory holds."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import tidelog

SRC = str(Path(__file__).resolve().parents[2] / "src")


def env(**extra: str) -> dict:
    out = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out.pop("TIDELOG_SERVER", None)
    out.pop("TIDELOG_API_KEY", None)
    out.update(extra)
    return out


def log_run(base: Path, body: str = "", steps: int = 2000, media: int = 2, project: str = "sy", **kw) -> Path:
    """A finished run logged in a child process: ``steps`` rows of 3 metrics, ``media`` images, config."""
    script = textwrap.dedent(f"""
        import numpy as np, tidelog
        run = tidelog.init(dir={str(base)!r}, project={project!r}, config={{"lr": 0.01, "opt": {{"name": "adam"}}}})
        for i in range({steps}):
            run.log({{"loss": 1.0 / (i + 1), "acc": i / {steps}, "epoch": i // 100}})
        for j in range({media}):
            run.log({{"img": tidelog.Image(np.full((16, 16, 3), j * 40, np.uint8), caption=str(j))}})
        run.summary["best"] = 0.93
    """) + textwrap.dedent(body) + "\nrun.finish()\n"
    subprocess.run([sys.executable, "-c", script], check=True, env=env(**kw), timeout=120)
    return newest_run(base)


def newest_run(base: Path) -> Path:
    return max((Path(base) / "tidelog").glob("run-*"))


def sync(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tidelog", "sync", "--no-progress", *args], capture_output=True,
                          text=True, env=env(**kw), timeout=timeout, check=False)


def local_run(run_dir: Path):
    state = tidelog.Api(dir=str(run_dir.parent.parent))
    from tidelog.read.run import RunState

    s = RunState.load(run_dir)
    return state.run(f"{s.project}/{s.run_id}")


def assert_same(url: str, run_dir: Path) -> dict:
    """The server holds exactly the local rows, summary, config, state and media of the run."""
    local = local_run(run_dir)
    remote = tidelog.Api(server=url).run(f"{local.project}/{local.id}")
    lrows, rrows = list(local.scan_history()), list(remote.scan_history())
    assert len(rrows) == len(lrows)
    assert rrows == lrows
    assert remote.config == local.config
    assert dict(remote.summary) == dict(local.summary)
    assert remote.state == local.state
    # files/output.log is derived from the run's console records (the server holds and serves them at
    # /console); a sender killed before it closed never recorded that file, so only recorded files count.
    hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for sub in ("media", "files")
              for p in (run_dir / sub).rglob("*") if p.is_file() and p != run_dir / "files" / "output.log"}
    files = {f.sha256: f for f in remote.files()}
    assert hashes <= set(files)
    for f in files.values():
        got = f.download(root=str(run_dir.parent / "dl"), replace=True).read_bytes()
        assert hashlib.sha256(got).hexdigest() == f.sha256
    return remote._client.get(f"/runs/{local.project}/{local.id}").json()


def drain_orphans(run_dir: Path, timeout: float = 60.0) -> None:
    """After a SIGKILL of trainer and sender, what they left in shared memory goes into the WAL (``tidelog
    recover``; any ``init()`` on the machine may do it in the background): wait until that is done, so the
    local run is final."""
    import time

    from tidelog.sync.engine import run_ended
    from tidelog.transport.recover import find_orphans

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        subprocess.run([sys.executable, "-m", "tidelog", "recover"], capture_output=True, env=env(), check=False,
                       timeout=120)
        mine = [o for o in find_orphans() if o.run_dir is not None and o.run_dir.resolve() == run_dir.resolve()]
        if not mine and run_ended(run_dir):
            return
        time.sleep(0.2)
    raise AssertionError(f"the rings of {run_dir} were not drained in {timeout} s")


def reboot_rings(run_dir: Path) -> None:
    """What a machine restart does to a run killed with its sender: its shared-memory ring is gone, so the WAL
    never gets an exit record (unless a recovery already started: then wait for it)."""
    import time

    from tidelog.sync.engine import run_ended
    from tidelog.transport.recover import find_orphans

    for o in find_orphans():
        if o.run_dir is not None and o.run_dir.resolve() == run_dir.resolve():
            o.ring.unlink(missing_ok=True)
    deadline = time.monotonic() + 60
    while not run_ended(run_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
