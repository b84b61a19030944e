"""What the CLI test modules share: a clean environment per test and ``tidelog`` run as a process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tidelog.api import lifecycle


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    """No TIDELOG_*/WANDB_* variable of the caller's leaks into a test; no run is left open after it."""
    for name in ("TIDELOG_DIR", "WANDB_DIR", "TIDELOG_MODE", "WANDB_MODE", "TIDELOG_PROJECT", "WANDB_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    yield
    if lifecycle.current() is not None:
        lifecycle.current().finish()


def _cli(*args, cwd=None, env=None):
    """``python -m tidelog ARGS`` with only ``env`` of the tidelog/W&B variables set."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "tidelog", *map(str, args)], capture_output=True,
                          text=True, timeout=60, cwd=cwd, env=full_env)
