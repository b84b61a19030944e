"""Shared by tests/integrations: run a training script as a real process, offline, and read its run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def need(*modules: str) -> None:
    """Skip (with the reason) when the ``integrations`` extra is not installed; .ci/run installs it."""
    for m in modules:
        pytest.importorskip(m, reason=f"{m} is not installed (pip install -e '.[integrations]')")


def offline_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    env.pop("PYTHONPATH", None)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", HF_HOME=str(tmp / "hf"),
               TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1")
    return env


def run_script(argv: list[str], tmp: Path, via_tidelog_run: bool, timeout: int = 300) -> None:
    cmd = [sys.executable, *argv]
    if via_tidelog_run:
        cmd = [sys.executable, "-m", "tidelog", "run", "--dir", str(tmp / "runs"), "--", *cmd]
    proc = subprocess.run(cmd, env=offline_env(tmp), cwd=tmp, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (f"{' '.join(cmd)} exited {proc.returncode}\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")


def load_record(path: Path) -> dict:
    return json.loads(path.read_text())


def plain_row(row: dict) -> dict:
    """A history row without the keys tidelog adds to every row."""
    return {k: v for k, v in row.items() if k not in ("_step", "_timestamp", "_runtime")}
