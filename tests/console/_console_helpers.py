"""Shared by tests/console: run a real training script with its stdout/stderr on pipes or a pty."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tidelog.read.run import RunState


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    env.update(TIDELOG_STATS_INTERVAL="0", **extra)
    return env


def write_script(tmp: Path, text: str) -> Path:
    path = tmp / "child.py"
    path.write_text(text)
    return path


def run_pipes(cmd: list[str], env: dict, cwd: Path, merged: bool, timeout: float = 120):
    """(stdout bytes, stderr bytes, exit code); stderr is b"" when merged into stdout."""
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT if merged else subprocess.PIPE, timeout=timeout)
    return proc.stdout, proc.stderr or b"", proc.returncode


def run_pty(cmd: list[str], env: dict, cwd: Path, timeout: float = 120) -> tuple[bytes, int]:
    """Everything the terminal received (stdout and stderr on one pty), and the exit code."""
    master, slave = os.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                            start_new_session=True)
    os.close(slave)
    out = bytearray()
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                pytest.fail(f"no output for {timeout} s; so far: {bytes(out)[-2000:]!r}")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every process holding the terminal has closed it
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
    return bytes(out), proc.wait(timeout=timeout)


def only_run(base: Path) -> Path:
    found = list((base / "tidelog").glob("run-*"))
    assert len(found) == 1, found
    return found[0]


def stored_lines(run_dir: Path) -> list[tuple[str, float, str]]:
    from tidelog.read.streams import console_lines

    return console_lines(run_dir)


def state_of(run_dir: Path) -> str:
    return RunState.load(run_dir).state


PY = sys.executable
