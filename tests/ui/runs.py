"""Runs the browser tests look at, each logged by a real training process.

``python tests/ui/runs.py second DIR``: a run to compare with the seed tour
(same project, 300 steps of loss/acc/epoch with a one-step spike, prefixed
keys, a hostile name and tag that must stay text).
``python tests/ui/runs.py empty DIR``: a run that logged nothing.
``python tests/ui/runs.py live DIR GATE_DIR``: a run that logs in phases and
stays running: it writes ``GATE_DIR/ready1`` once phase one is in its WAL on
disk, waits for ``GATE_DIR/go``, logs phase two, writes ``ready2`` (same rule),
waits for ``GATE_DIR/end``.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

import tidelog as wandb

HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def second(base: str) -> None:
    wandb.init(project="seed-tour", dir=base, name=HOSTILE_NAME, tags=["compare", "<b>bold</b>"],
               notes="<script>alert(2)</script>", config={"lr": 0.01, "epochs": 5, "optimizer": {"name": "adam"}})
    for s in range(300):
        wandb.log({"loss": 2 * math.exp(-s / 60) + (3.0 if s == 150 else 0.0), "acc": 1 - math.exp(-s / 50),
                   "epoch": s // 60, "train/lr": 0.01 * 0.99 ** s, "eval/score": math.sin(s / 20)})
    wandb.finish()


def empty(base: str) -> None:
    wandb.init(project="empty", dir=base, name="nothing-logged")
    wandb.finish()


def _wait(p: Path) -> None:
    deadline = time.monotonic() + 120
    while not p.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {p}")
        time.sleep(0.05)


def _settle(gate: Path, name: str, last_step: int) -> None:
    """Signal ``name`` once the run's WAL on disk holds every step up to ``last_step``."""
    from tidelog.read.run import RunState

    deadline = time.monotonic() + 120
    while (RunState.load(Path(wandb.run.dir)).last_step or -1) < last_step:
        if time.monotonic() > deadline:
            raise SystemExit(f"the WAL never reached step {last_step}")
        time.sleep(0.1)
    (gate / name).write_text(wandb.run.id)


def live(base: str, gate_dir: str) -> None:
    gate = Path(gate_dir)
    wandb.init(project="live", dir=base, name="live-run")
    rng = np.random.default_rng(0)
    for s in range(20):
        wandb.log({"live_metric": s * 0.5})
    wandb.log({"live_image": wandb.Image(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8))})
    _settle(gate, "ready1", 20)
    _wait(gate / "go")
    for s in range(20):
        wandb.log({"live_metric": 10 + s * 0.5})
    wandb.log({"live_image": wandb.Image(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8))})
    _settle(gate, "ready2", 41)
    _wait(gate / "end")
    wandb.finish()


if __name__ == "__main__":
    {"second": second, "empty": empty, "live": live}[sys.argv[1]](*sys.argv[2:])
