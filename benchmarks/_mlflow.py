"""The peer for the server and sync benchmarks: a real MLflow tracking server (SQLite store) on a free
port, and ``log_batch`` ingest of STEPS x KEYS metrics, as ``bench_server`` and ``bench_sync`` both run it.

``pip install mlflow`` (the ``bench`` extra); ``available()`` is False without it and the benchmarks
print tidelog's figures alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
import infra  # the test harness's process helpers

__all__ = ["available", "mlflow_server", "ingest"]


def available() -> bool:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def mlflow_server(db: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """(URL, process) of an MLflow server on ``db`` (SQLite), stopped (its process group) on exit."""
    port = infra.free_port()
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}
    proc = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{db}",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        infra._wait_http(f"http://127.0.0.1:{port}/health", proc, 120)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def ingest(url: str, steps: int, keys: int) -> tuple[str, float]:
    """Log STEPS x KEYS random metrics into a new run with ``log_batch`` (1,000 a call): (run id, seconds)."""
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    client = MlflowClient(url)
    rid = client.create_run(client.create_experiment("bench")).info.run_id
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    batch: list = []
    for s in range(steps):
        batch += [Metric(f"m{k}", float(rng.normal()), int(1.767e12 + s * 10), s) for k in range(keys)]
        if len(batch) >= 1000:
            client.log_batch(rid, metrics=batch)
            batch = []
    if batch:
        client.log_batch(rid, metrics=batch)
    return rid, time.perf_counter() - t
