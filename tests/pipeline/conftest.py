"""Helpers for tests that run real training processes and kill them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tidelog.read.run import RunState

CHILDREN = Path(__file__).parent / "children"


def spawn(name: str, *args: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TIDELOG_STATS_INTERVAL": "0"}
    return subprocess.Popen([sys.executable, str(CHILDREN / name), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def run_dir_of(base: Path, run_id: str) -> Path:
    found = list((base / "tidelog").glob(f"run-*-{run_id}"))
    assert len(found) == 1, found
    return found[0]


def wait_state(run_dir: Path, want: str, timeout: float = 20.0) -> RunState:
    """Poll the run's state until it is ``want`` (the sender finishes on its own)."""
    deadline = time.monotonic() + timeout
    while True:
        state = RunState.load(run_dir)
        if state.state == want:
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"run {run_dir} is {state.state!r}, not {want!r}, after {timeout} s")
        time.sleep(0.05)
