"""WAL benchmark: disk per scalar, write and read rates, verify time.

Writes N history rows of 10 realistic training metrics the way the sender
does (KeyDefs, then one HistoryBlock record per chunk) and prints:

* bytes per scalar of the WAL next to the information limit (the same values
  as per-key float64 columns, byte-shuffled, zstd level 19) and next to W&B
  0.31 offline's ``.wandb`` file for the same metrics;
* the same through the real pipeline (``tidelog.init`` / ``log()`` /
  ``finish()`` in a fresh interpreter, the sender choosing the blocks and
  chunks), for the 10 metrics and for 2 of them (``train/loss``,
  ``train/lr``), with the largest chunk's rows: the damage radius;
* writer throughput (rows/s, MB/s raw and compressed) per zstd level;
* read rates into numpy columns and into row dicts;
* ``tidelog verify`` wall time.

    python benchmarks/bench_wal.py                   # 1M rows, W&B 100k steps
    python benchmarks/bench_wal.py --rows 200000 --wandb-steps 0
    python benchmarks/bench_wal.py --pipeline-rows 0  # skip the pipeline runs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import information_limit_bytes, make_metrics, write_wal

from tidelog.read import HistoryReader
from tidelog.wal import Chunk, WalReader, verify_wal
from tidelog.wal.format import list_segments, record_history_rows
from tidelog.wal.reader import scan_segment
from tidelog.wal.writer import DEFAULT_LEVEL

_WANDB_SCRIPT = """
import glob, json, os, sys, time
sys.path.insert(0, sys.argv[1])
from _common import make_metrics
rows, steps, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
m = make_metrics(rows)
os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=out)
import wandb
run = wandb.init(project="bench", dir=out, mode="offline")
t0 = time.perf_counter()
for i in range(steps):
    run.log(m.row(i))
log_s = time.perf_counter() - t0
run.finish()
files = glob.glob(os.path.join(out, "wandb", "offline-run-*", "run-*.wandb"))
print(json.dumps({"bytes": sum(os.path.getsize(f) for f in files), "log_s": log_s, "files": len(files)}))
"""


_PIPELINE_SCRIPT = """
import glob, json, os, sys, time
sys.path.insert(0, sys.argv[1])
from _common import make_metrics
rows, keys, out = int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4]
m = make_metrics(rows)
data = [{k: v for k, v in m.row(i).items() if k in keys} for i in range(rows)]
import tidelog
run = tidelog.init(project="bench", dir=out, id="pipeline")
t0 = time.perf_counter()
for d in data:
    tidelog.log(d)
log_s = time.perf_counter() - t0
run.finish()
print(json.dumps({"log_s": log_s, "finish_s": time.perf_counter() - t0,
                  "wal": glob.glob(os.path.join(out, "tidelog", "run-*-pipeline", "wal"))[0]}))
"""


def subset(m, names: list[str]):
    """``m`` reduced to the float metrics ``names`` (and no int metrics)."""
    idx = [m.float_names.index(k) for k in names]
    return type(m)(m.steps, m.timestamps, names, m.float_cols[idx], [], m.int_cols[:0])


def pipeline(m, tmp: Path, timeout: int) -> dict:
    """Log ``m`` through init/log/finish in a fresh interpreter; the WAL's bytes and chunk sizes."""
    out = tmp / f"pipeline-{len(m.float_names)}-{len(m.int_names)}"
    env = {**os.environ, "TIDELOG_STATS_INTERVAL": "0"}
    proc = subprocess.run(
        [sys.executable, "-c", _PIPELINE_SCRIPT, str(HERE), str(m.n), ",".join(m.float_names + m.int_names),
         str(out)], capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"pipeline run failed:\n{proc.stderr[-2000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    wal = Path(res["wal"])
    res["bytes"] = sum(p.stat().st_size for _, p in list_segments(wal))
    chunks = [e for _, p in list_segments(wal) for e in scan_segment(p, p.read_bytes(), final=False)
              if isinstance(e, Chunk)]
    res["chunks"] = len(chunks)
    res["max_chunk_rows"] = max(sum(map(record_history_rows, c.records())) for c in chunks)
    res["max_chunk_raw"] = max(c.header.raw_len for c in chunks)
    t0 = time.perf_counter()
    cols = HistoryReader(WalReader(wal)).columns()
    res["columns_s"] = time.perf_counter() - t0
    assert len(cols["_step"]) == m.n, (len(cols["_step"]), m.n)
    return res


def _fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.0f} k"


def level_sweep(m, levels: list[int], tmp: Path) -> list[tuple[int, float, float, float, float]]:
    out = []
    info = information_limit_bytes(m) / m.scalars
    for level in levels:
        run = tmp / f"level{level}"
        s = write_wal(run, m, level=level)
        append_s = s.seconds - s.encode_seconds
        per = s.wal_bytes / m.scalars
        out.append((level, per, per / info, m.n / s.seconds, s.raw_bytes / append_s / 1e6))
    return out


def wandb_bytes(rows: int, steps: int, tmp: Path, timeout: int) -> dict | None:
    try:
        import wandb  # noqa: F401
    except ImportError:
        return None
    out = subprocess.run(
        [sys.executable, "-c", _WANDB_SCRIPT, str(HERE), str(rows), str(steps), str(tmp / "wandb-run")],
        capture_output=True, text=True, timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"wandb run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_read(run: Path, m, dict_rows: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    cols = HistoryReader(WalReader(run / "wal")).columns()
    col_s = time.perf_counter() - t0
    assert len(cols["_step"]) == m.n and (cols["global_step"] == m.int_cols[1]).all()
    res = {"columns_s": col_s}
    if dict_rows:
        t0 = time.perf_counter()
        n = sum(1 for _ in HistoryReader(WalReader(run / "wal")).rows())
        res["rows_s"] = time.perf_counter() - t0
        assert n == m.n
    return res


def time_verify(run: Path) -> tuple[float, float, bool]:
    t0 = time.perf_counter()
    report = verify_wal(run / "wal")
    inproc = time.perf_counter() - t0
    t0 = time.perf_counter()
    cli = subprocess.run([sys.executable, "-m", "tidelog", "verify", str(run)], capture_output=True, timeout=120)
    return inproc, time.perf_counter() - t0, report.ok and cli.returncode == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="history rows in the WAL (default 1M)")
    ap.add_argument("--rows-per-chunk", type=int, default=4096)
    ap.add_argument("--wandb-steps", type=int, default=100_000, help="steps logged through W&B (0: skip)")
    ap.add_argument("--wandb-timeout", type=int, default=600)
    ap.add_argument("--sweep-rows", type=int, default=200_000, help="rows for the zstd level sweep (0: skip)")
    ap.add_argument("--levels", default="1,3,6,9,19")
    ap.add_argument("--no-dict-rows", action="store_true", help="skip reading into row dicts")
    ap.add_argument("--pipeline-rows", type=int, default=200_000,
                    help="rows logged through init/log/finish (0: skip)")
    args = ap.parse_args()

    m = make_metrics(args.rows)
    with tempfile.TemporaryDirectory(prefix="tidelog-bench-") as tmp_s:
        tmp = Path(tmp_s)
        run = tmp / "run"
        s = write_wal(run, m, rows_per_chunk=args.rows_per_chunk)
        limit = information_limit_bytes(m)
        read = time_read(run, m, not args.no_dict_rows)
        verify_in, verify_cli, verify_ok = time_verify(run)
        sweep = []
        if args.sweep_rows:
            sweep = level_sweep(make_metrics(min(args.sweep_rows, args.rows)),
                                [int(x) for x in args.levels.split(",")], tmp / "sweep")
        piped = []
        if args.pipeline_rows:
            pm = make_metrics(args.pipeline_rows)
            for sub in (pm, subset(pm, ["train/loss", "train/lr"])):
                piped.append((sub, pipeline(sub, tmp, args.wandb_timeout)))
        wb = wandb_bytes(args.rows, min(args.wandb_steps, args.rows), tmp, args.wandb_timeout) \
            if args.wandb_steps else None

    ours = s.wal_bytes / m.scalars
    info = limit / m.scalars
    append_s = s.seconds - s.encode_seconds
    print(f"\nWAL benchmark: {m.n:,} rows x 10 metrics ({m.scalars:,} scalars), "
          f"{args.rows_per_chunk} rows per HistoryBlock chunk, zstd level {DEFAULT_LEVEL}, fsync never\n")
    print(f"{'measure':<58} {'value':>14}  target")
    print("-" * 86)
    print(f"{'tidelog WAL bytes/scalar':<58} {ours:>14.3f}")
    print(f"{'information limit bytes/scalar (f64, shuffled, zstd-19)':<58} {info:>14.3f}")
    print(f"{'  ratio WAL / limit':<58} {ours / info:>13.2f}x  <= 1.5x")
    if wb is not None:
        steps = min(args.wandb_steps, args.rows)
        wper = wb["bytes"] / (steps * 10)
        print(f"{f'W&B 0.31 offline .wandb bytes/scalar ({steps:,} steps)':<58} {wper:>14.2f}")
        print(f"{f'  ratio W&B / tidelog ({steps:,} vs {m.n:,} steps)':<58} {wper / ours:>13.1f}x  >= 10x")
        print(f"{'  W&B log() time per step (us)':<58} {wb['log_s'] / steps * 1e6:>14.1f}")
    else:
        print(f"{'W&B 0.31 offline':<58} {'skipped':>14}  (pip install wandb==0.31.0)")
    print(f"{'write rows/s (encode + append)':<58} {_fmt_rate(m.n / s.seconds):>14}  >= 100 k")
    print(f"{'write MB/s raw (append only)':<58} {s.raw_bytes / append_s / 1e6:>14.0f}")
    print(f"{'write MB/s compressed (append only)':<58} {s.wal_bytes / append_s / 1e6:>14.0f}")
    print(f"{'compression ratio raw/compressed':<58} {s.raw_bytes / s.wal_bytes:>14.2f}")
    print(f"{'read into numpy columns, scalars/s':<58} {_fmt_rate(m.scalars / read['columns_s']):>14}  >= 5 M")
    if "rows_s" in read:
        print(f"{'read into row dicts, rows/s':<58} {_fmt_rate(m.n / read['rows_s']):>14}")
    print(f"{'verify in-process (s)':<58} {verify_in:>14.3f}")
    print(f"{'tidelog verify CLI wall (s)':<58} {verify_cli:>14.3f}  < 2 s")
    print(f"{'verify result':<58} {'OK' if verify_ok else 'DAMAGED':>14}")
    for sub, res in piped:
        per = res["bytes"] / sub.scalars
        lim = information_limit_bytes(sub) / sub.scalars
        what = f"{sub.n:,} rows x {len(sub.float_names) + len(sub.int_names)} metrics"
        print(f"\nthrough the real pipeline (init/log/finish), {what}:")
        print(f"{'  WAL bytes/scalar (whole WAL)':<58} {per:>14.3f}")
        print(f"{'  information limit bytes/scalar':<58} {lim:>14.3f}")
        print(f"{'  ratio WAL / limit':<58} {per / lim:>13.2f}x  <= 1.5x")
        print(f"{'  chunks; largest: history rows / raw KiB':<58} "
              f"{res['chunks']:>5} {res['max_chunk_rows']:>5} /{res['max_chunk_raw'] / 1024:>5.0f}  <= 4096 / 1024")
        print(f"{'  log() loop rows/s; until finish() returned':<58} "
              f"{_fmt_rate(sub.n / res['log_s']):>7}; {_fmt_rate(sub.n / res['finish_s']):>5}")
        print(f"{'  read into numpy columns, scalars/s':<58} {_fmt_rate(sub.scalars / res['columns_s']):>14}")
    if sweep:
        print(f"\nzstd level sweep ({min(args.sweep_rows, args.rows):,} rows):")
        print(f"{'level':>5} {'bytes/scalar':>13} {'vs limit':>9} {'rows/s':>10} {'raw MB/s':>9}")
        for level, per, ratio, rate, mbs in sweep:
            print(f"{level:>5} {per:>13.3f} {ratio:>8.2f}x {_fmt_rate(rate):>10} {mbs:>9.0f}")


if __name__ == "__main__":
    main()
