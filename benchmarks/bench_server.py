"""tidelog server vs the MLflow tracking server (SQLite stores), same machine, same run.

    python benchmarks/bench_server.py [--steps 1000000] [--keys 10] [--runs 1000] [--mlflow-steps 20000]

Measures, for the embedded tidelog server (SQLite + files, one process):
  * ingest of a STEPS x KEYS run's WAL (the upload tidelog sync makes), scalars/s, server RSS peak
  * bytes stored per scalar (database + objects) vs the run's WAL
  * downsampled history of one key over all steps (500 buckets), p50 of 20 requests
  * first page (50) of a RUNS-run list filtered by a config value, p50 of 20 requests
and for the MLflow tracking server (``pip install mlflow``; skipped when absent), with a run of
MLFLOW_STEPS x KEYS logged through ``log_batch`` (1,000 metrics a call, its limit):
  * ingest scalars/s, bytes per scalar (SQLite file), RSS of its process tree
  * ``get-history-bulk-interval`` of one key (500 points), p50, scaled to STEPS linearly
Prints one table with the ratios. The run is synthetic (WalWriter + HistoryBlocks of 4096 rows), which
is what a sender writes for a numbers-only loop.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _mlflow
import infra

from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.remote.http import ServerClient
from tidelog.sync.upload import upload_run
from tidelog.wal import WalWriter


def synth_run(root: Path, run_id: str, steps: int, keys: int, config: dict) -> Path:
    import json

    run_dir = root / f"run-20260101_000000-{run_id}"
    (run_dir / "wal").mkdir(parents=True)
    w = WalWriter(run_dir / "wal", fsync="never")
    seq = 1
    t0 = 1.767e9

    def rec(**kw) -> bytes:
        nonlocal seq
        r = pb.Record(seq=seq, **kw)
        seq += 1
        return r.SerializeToString()

    head = [rec(run_start=pb.RunStart(run_id=run_id, project="bench", name=run_id, start_time=t0))]
    head += [rec(key=pb.KeyDef(id=k + 1, name=f"m{k}")) for k in range(keys)]
    head.append(rec(config=pb.ConfigUpdate(set={k: json.dumps(v) for k, v in config.items()})))
    w.append(head)
    rng = np.random.default_rng(0)
    for s in range(0, steps, 4096):
        n = min(4096, steps - s)
        st = np.arange(s, s + n)
        cols = np.cumsum(rng.normal(0, 0.01, (keys, n)), axis=1) + np.exp(-st / 1e5)
        block = encode_block(st, t0 + st * 0.01, list(range(1, keys + 1)), cols, [], np.zeros((0, n)))
        w.append([pb.Record(seq=seq, history_block=block).SerializeToString()])
        seq += n
    w.append([rec(exit=pb.RunExit(exit_code=0, state="finished", time=t0 + steps * 0.01))])
    w.close()
    return run_dir


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def p50(fn, n: int = 20) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class RssPeak(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc, self.peak, self.stop = psutil.Process(pid), 0, False

    def run(self) -> None:
        while not self.stop:
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                return
            time.sleep(0.05)


def server_pid(port: int) -> int:
    for c in psutil.net_connections("tcp"):
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid:
            return c.pid
    raise RuntimeError("server process not found")


def bench_tidelog(args, tmp: Path) -> dict:
    out = {}
    runs_dir = tmp / "runs"
    big = synth_run(runs_dir, "big", args.steps, args.keys, {"lr": 0.5})
    wal_bytes = du(big / "wal")
    root = tmp / "srv"
    with infra.server(["--root", str(root)], {}, tmp) as url:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        mon = RssPeak(pid)
        mon.start()
        client = ServerClient(url)
        t = time.perf_counter()
        upload_run(client, big)
        dt = time.perf_counter() - t
        mon.stop = True
        mon.join()
        scalars = args.steps * args.keys
        out["ingest scalars/s"] = scalars / dt
        out["server RSS peak under ingest (MB)"] = mon.peak / 1e6
        out["bytes stored per scalar"] = du(root) / scalars
        out["bytes stored / WAL bytes"] = du(root) / wal_bytes
        sampled = f"{url}/api/v1/runs/bench/big/history/sampled"
        http = httpx.Client(timeout=120)
        out["downsampled 1 key, all steps, p50 (ms)"] = 1e3 * p50(
            lambda: http.get(sampled, params={"keys": "m0", "buckets": 500}).raise_for_status())
        for i in range(args.runs):
            small = synth_run(runs_dir, f"r{i:04d}", 10, 2, {"lr": i / args.runs, "seed": i})
            upload_run(client, small)
        out["runs list page, filter config.lr > 0.5, p50 (ms)"] = 1e3 * p50(lambda: http.get(
            f"{url}/api/v1/runs", params={"project": "bench", "filters": '{"config.lr": {"$gt": 0.5}}',
                                          "per_page": 50}).raise_for_status())
        http.close()
    return out


def bench_mlflow(args, tmp: Path) -> dict:
    if not _mlflow.available():
        return {}
    db = tmp / "mlflow.db"
    out = {}
    with _mlflow.mlflow_server(db) as (url, proc):
        mon = RssPeak(proc.pid)
        mon.start()
        steps = args.mlflow_steps
        rid, dt = _mlflow.ingest(url, steps, args.keys)
        mon.stop = True
        mon.join()
        out["ingest scalars/s"] = steps * args.keys / dt
        out["server RSS peak under ingest (MB)"] = mon.peak / 1e6
        out["bytes stored per scalar"] = db.stat().st_size / (steps * args.keys)
        bulk = f"{url}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval"
        http = httpx.Client(timeout=600)
        measured = p50(lambda: http.get(bulk, params={"run_ids": rid, "metric_key": "m0", "max_results": 500})
                       .raise_for_status(), 5)
        out["downsampled 1 key, all steps, p50 (ms)"] = 1e3 * measured * args.steps / steps
        out["(downsampled measured at MLFLOW_STEPS, ms)"] = 1e3 * measured
        http.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=10)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--mlflow-steps", type=int, default=20_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_server."))
    try:
        tl = bench_tidelog(args, tmp)
        ml = bench_mlflow(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.steps} steps x {args.keys} keys; {args.runs} runs listed; MLflow ingest at {args.mlflow_steps} steps")
    print(f"{'measure':55s} {'tidelog':>12s} {'mlflow':>12s} {'ratio':>8s}")
    for k, v in tl.items():
        m = ml.get(k)
        if m is None:
            print(f"{k:55s} {v:12.2f} {'-':>12s}")
            continue
        better_high = "scalars/s" in k
        ratio = v / m if better_high else m / v
        print(f"{k:55s} {v:12.2f} {m:12.2f} {ratio:7.1f}x")
    for k, v in ml.items():
        if k not in tl:
            print(f"{k:55s} {'-':>12s} {v:12.2f}")


if __name__ == "__main__":
    main()
