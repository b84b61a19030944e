"""``tidelog run -- CMD``: ``import wandb`` is tidelog in the command and in its children.

No real ``wandb`` is needed (and if one is installed, the shim comes first); the
installed-version check Lightning makes is satisfied by the shim's ``.dist-info``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from _integration_helpers import need, offline_env

import tidelog
from tidelog.compat import SHIM_DIR, WANDB_VERSION


def tidelog_run(tmp: Path, code: str, *extra: str, timeout: int = 120) -> subprocess.CompletedProcess:
    script = tmp / "script.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, "-m", "tidelog", "run", "--dir", str(tmp / "runs"), *extra, "--",
                           sys.executable, str(script)], env=offline_env(tmp), cwd=tmp, capture_output=True,
                          text=True, timeout=timeout)


def test_wandb_is_tidelog_with_the_import_paths_clients_use(tmp_path):
    need("torch")
    proc = tidelog_run(tmp_path, """
        import importlib.metadata, importlib.util
        import wandb
        import tidelog
        assert importlib.util.find_spec("wandb") is not None and hasattr(wandb, "run") and wandb.run is None
        print("FILE", wandb.__file__)
        print("VERSION", importlib.metadata.version("wandb"), wandb.__version__)
        from wandb.sdk.lib.config_util import ConfigError
        from wandb.sdk.lib import RunDisabled
        from wandb.wandb_run import Run
        assert ConfigError is tidelog.ConfigError and RunDisabled is tidelog.RunDisabled and Run is tidelog.Run
        run = wandb.init(project="shim", name="n", id="shim1", resume="allow", anonymous=None)
        assert isinstance(run, (Run, RunDisabled)) and wandb.run is run is tidelog.run
        assert wandb.config is run.config and wandb.summary is run.summary
        wandb.config.update({"a": 1}, allow_val_change=True)
        wandb.config["b"] = 2
        wandb.define_metric("x/step")
        wandb.define_metric("*", step_metric="x/step", step_sync=True)
        run._label(code="shim_test")
        wandb.require("service")
        assert wandb._attach(run._attach_id) is run
        import torch   # the integrations extra
        wandb.watch(torch.nn.Linear(2, 1), log="all", log_freq=10)
        wandb.termwarn("careful", repeat=False)
        wandb.termwarn("careful", repeat=False)
        run.log({"x/step": 5, "loss": 0.5})
        run.summary["best"] = 0.25
        print("RUN", run.id, run.name)
        """)
    assert proc.returncode == 0, proc.stderr
    out = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert out["FILE"] == str(SHIM_DIR / "wandb" / "__init__.py")
    assert out["VERSION"] == f"{WANDB_VERSION} {WANDB_VERSION}"
    assert out["RUN"] == "shim1 n"
    assert proc.stderr.count("tidelog: WARNING careful") == 1  # repeat=False: once
    run = tidelog.Api(dir=tmp_path / "runs").run("shim/shim1")
    assert run.state == "finished"  # never called finish(): finished at exit
    assert run.config == {"a": 1, "b": 2}
    assert [{k: r[k] for k in ("x/step", "loss")} for r in run.scan_history()] == [{"x/step": 5, "loss": 0.5}]
    assert run.summary["best"] == 0.25


def test_the_version_satisfies_lightnings_requirement(tmp_path):
    proc = tidelog_run(tmp_path, """
        from importlib.metadata import version
        from packaging.requirements import Requirement
        from packaging.version import Version
        print(Requirement("wandb>=0.12.10").specifier.contains(Version(version("wandb")), prereleases=True))
        """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"


def test_children_import_the_shim_too(tmp_path):
    """A multiprocessing spawn child (DDP spawn, DataLoader workers) and a plain subprocess."""
    proc = tidelog_run(tmp_path, """
        import multiprocessing as mp, subprocess, sys

        def child(q):
            import wandb, tidelog
            q.put((wandb.__file__, wandb.init is tidelog.init))

        if __name__ == "__main__":
            ctx = mp.get_context("spawn")
            q = ctx.Queue()
            p = ctx.Process(target=child, args=(q,))
            p.start()
            print("SPAWN", *q.get(timeout=60))
            p.join()
            out = subprocess.run([sys.executable, "-c", "import wandb; print(wandb.__file__)"],
                                 capture_output=True, text=True, check=True).stdout.strip()
            print("SUBPROCESS", out)
        """)
    assert proc.returncode == 0, proc.stderr
    shim = str(SHIM_DIR / "wandb" / "__init__.py")
    assert f"SPAWN {shim} True" in proc.stdout
    assert f"SUBPROCESS {shim}" in proc.stdout


def test_exit_status_and_signals_are_the_commands(tmp_path):
    proc = tidelog_run(tmp_path, "import sys; sys.exit(3)\n")
    assert proc.returncode == 3
    proc = tidelog_run(tmp_path, "import os, signal; os.kill(os.getpid(), signal.SIGTERM)\n")
    assert proc.returncode == -15  # exec: the command is the process, its death is reported as is


def test_bad_commands_are_explained(tmp_path):
    env = offline_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "tidelog", "run", "--", "no-such-command-xyz"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 127 and "cannot run 'no-such-command-xyz'" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "tidelog", "run"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "no command given" in proc.stderr


def test_outside_tidelog_run_wandb_is_not_the_shim(tmp_path):
    code = "import importlib.util as u; s = u.find_spec('wandb'); print(s.origin if s else None)"
    out = subprocess.run([sys.executable, "-c", code], env=offline_env(tmp_path), capture_output=True, text=True,
                         timeout=60, check=True).stdout.strip()
    assert out != str(SHIM_DIR / "wandb" / "__init__.py")
