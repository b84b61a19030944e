"""tidelog sync vs MLflow's log_batch ingest of the same metrics, same machine, same run.

    python benchmarks/bench_sync.py [--steps 1000000] [--keys 10] [--concurrent 8] [--concurrent-steps 200000]
                                    [--mlflow-steps 20000] [--latency-s 10] [--skip-pg]

Measures, with real processes (``tidelog server``, ``tidelog sync``, a training process):
  * ``tidelog sync`` of a STEPS x KEYS run to the embedded server: wall time, scalars/s, the client's RSS peak
  * a re-sync of the finished run: wall time and requests that carried WAL bytes (must be 0)
  * CONCURRENT syncs at once to PostgreSQL + S3 (SeaweedFS) through two server instances (half each), runs of
    CONCURRENT_STEPS x KEYS: aggregate scalars/s (``--skip-pg`` leaves it out)
  * time from ``log()`` to the value being readable through the server's API (the key catalog's last value, what
    ``Api(server=...)`` reads), p50 and p90, in live mode (``init(mode="online")``) and with ``sync --follow``
and the MLflow tracking server (``pip install mlflow``; skipped when absent) ingesting MLFLOW_STEPS x KEYS of
the same shape through ``log_batch`` (1,000 metrics a call, its limit). Prints one table with the ratios.
The big run is synthetic (WalWriter + HistoryBlocks of 4096 rows), which is what a sender writes for a
numbers-only loop; the latency runs are real training processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
import _mlflow
import infra  # the test harness's process helpers
from bench_server import RssPeak, synth_run


def _sync_cmd(url: str, *targets: str) -> list[str]:
    return [sys.executable, "-m", "tidelog", "sync", "--no-progress", *targets, "--server", url]


def timed_sync(url: str, run_dir: Path) -> tuple[float, int, str]:
    """(seconds, client RSS peak in bytes, stdout) of one ``tidelog sync`` process."""
    t = time.perf_counter()
    proc = subprocess.Popen(_sync_cmd(url, str(run_dir)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mon = RssPeak(proc.pid)
    mon.start()
    out, err = proc.communicate()
    dt = time.perf_counter() - t
    mon.stop = True
    mon.join()
    if proc.returncode:
        raise RuntimeError(f"tidelog sync failed: {out}{err}")
    return dt, mon.peak, out


def bench_embedded(args, tmp: Path) -> dict:
    out = {}
    big = synth_run(tmp / "runs", "big", args.steps, args.keys, {"lr": 0.5})
    with infra.server(["--root", str(tmp / "srv")], {}, tmp) as url:
        dt, rss, text = timed_sync(url, big)
        from tidelog.wal.verify import verify_wal

        last = verify_wal(big / "wal").last_seq
        assert f"server at seq {last} " in text, (last, text)   # everything was stored
        out["sync 1 run to the embedded server (s)"] = dt
        out["sync scalars/s"] = args.steps * args.keys / dt
        out["sync client RSS peak (MB)"] = rss / 1e6
        t = time.perf_counter()
        from tidelog.remote.http import ServerClient
        from tidelog.sync.engine import RunSync
        from tidelog.sync.replica import HttpReplica

        res = RunSync(HttpReplica(ServerClient(url)), big).run()   # in process: counts what it sent
        out["re-sync of the finished run, in process (s)"] = time.perf_counter() - t
        out["re-sync WAL requests sent"] = res.requests
        dt2, _, text = timed_sync(url, big)
        assert "nothing to send" in text, text
        out["re-sync, tidelog sync process incl. start (s)"] = dt2
    return out


def bench_concurrent(args, tmp: Path) -> dict:
    runs = [synth_run(tmp / "cruns", f"c{i}", args.concurrent_steps, args.keys, {"i": i})
            for i in range(args.concurrent)]
    with infra.postgres() as pg, infra.seaweed() as s3:
        db = infra.createdb(pg, "bench")
        infra.make_bucket(s3, "bench")
        sargs = ["--root", str(tmp / "srv2"), "--database", db, "--store", "s3://bench/pre"]
        with infra.server(sargs, s3["env"], tmp) as a, infra.server(sargs, s3["env"], tmp) as b:
            t = time.perf_counter()
            procs = [subprocess.Popen(_sync_cmd((a, b)[i % 2], str(r)), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True) for i, r in enumerate(runs)]
            for p in procs:
                text, _ = p.communicate()
                if p.returncode:
                    raise RuntimeError(text)
            dt = time.perf_counter() - t
    return {f"{args.concurrent} concurrent syncs, PG+S3, 2 instances: aggregate scalars/s":
            args.concurrent * args.concurrent_steps * args.keys / dt}


_TRAINER = """
import time, tidelog
run = tidelog.init(dir={base!r}, project="lat"{mode})
print(run.id, flush=True)
t0 = time.time()
while time.time() - t0 < {seconds}:
    run.log({{"t": time.time()}})
    time.sleep(0.05)
run.finish()
"""


def latency(url: str, base: Path, seconds: float, live: bool) -> list[float]:
    """log() -> readable delays, seen by polling the run's key catalog every 20 ms."""
    env = {**os.environ, "TIDELOG_SERVER": url} if live else dict(os.environ)
    code = textwrap.dedent(_TRAINER.format(base=str(base), mode=', mode="online"' if live else "", seconds=seconds))
    trainer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    run_id = trainer.stdout.readline().strip()
    follower = None
    if not live:
        run_dir = next((base / "tidelog").glob(f"run-*-{run_id}"))
        follower = subprocess.Popen(_sync_cmd(url, "--follow", str(run_dir)), stdout=subprocess.DEVNULL)
    http = httpx.Client(timeout=10)
    seen, delays = None, []
    while trainer.poll() is None:
        try:
            r = http.get(f"{url}/api/v1/runs/lat/{run_id}")
        except httpx.HTTPError:
            r = None
        now = time.time()
        if r is not None and r.status_code == 200:
            last = next((k["last"] for k in r.json()["keys"] if k["name"] == "t"), None)
            if last is not None and last != seen:
                if seen is not None:
                    delays.append(now - last)
                seen = last
        time.sleep(0.02)
    trainer.wait()
    if follower is not None:
        follower.wait(60)
    http.close()
    return delays


def bench_latency(args, tmp: Path) -> dict:
    out = {}
    with infra.server(["--root", str(tmp / "srv3")], {}, tmp) as url:
        for live in (True, False):
            d = sorted(latency(url, tmp / ("live" if live else "follow"), args.latency_s, live))
            name = "live mode" if live else "sync --follow"
            if d:
                out[f"log() -> readable, {name}, p50 (s)"] = statistics.median(d)
                out[f"log() -> readable, {name}, p90 (s)"] = d[int(0.9 * (len(d) - 1))]
    return out


def bench_mlflow(args, tmp: Path) -> dict:
    """The MLflow tracking server (SQLite store) ingesting MLFLOW_STEPS x KEYS through log_batch."""
    if not _mlflow.available():
        return {}
    with _mlflow.mlflow_server(tmp / "mlflow.db") as (url, _proc):
        _rid, dt = _mlflow.ingest(url, args.mlflow_steps, args.keys)
    return {"ingest scalars/s": args.mlflow_steps * args.keys / dt}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=10)
    ap.add_argument("--concurrent", type=int, default=8)
    ap.add_argument("--concurrent-steps", type=int, default=200_000)
    ap.add_argument("--mlflow-steps", type=int, default=20_000)
    ap.add_argument("--latency-s", type=float, default=10.0)
    ap.add_argument("--skip-pg", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_sync."))
    try:
        tl = bench_embedded(args, tmp)
        if not args.skip_pg:
            tl.update(bench_concurrent(args, tmp))
        tl.update(bench_latency(args, tmp))
        ml = bench_mlflow(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    peer = ml.get("ingest scalars/s")
    print(f"{args.steps} steps x {args.keys} keys; {args.concurrent} x {args.concurrent_steps} steps concurrent; "
          f"MLflow log_batch at {args.mlflow_steps} steps")
    print(f"{'measure':66s} {'tidelog':>12s} {'mlflow':>12s} {'ratio':>8s}")
    for k, v in tl.items():
        if "scalars/s" in k and peer:
            print(f"{k:66s} {v:12.1f} {peer:12.1f} {v / peer:7.1f}x")
        else:
            print(f"{k:66s} {v:12.3f} {'-':>12s}")
    if peer:
        steps_1m = args.steps * args.keys / peer
        print(f"{'MLflow log_batch time for the same ' + str(args.steps) + '-step run (s, extrapolated)':66s} "
              f"{tl['sync 1 run to the embedded server (s)']:12.1f} {steps_1m:12.1f} "
              f"{steps_1m / tl['sync 1 run to the embedded server (s)']:7.1f}x")


if __name__ == "__main__":
    main()
