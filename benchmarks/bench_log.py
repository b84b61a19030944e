"""The caller-side cost of ``log()`` and what the pipeline sustains, side by side with W&B offline.

Run:  python benchmarks/bench_log.py            (W&B columns need `pip install -e ".[bench]"`)
      python benchmarks/bench_log.py --quick    (fewer iterations)

Prints, for tidelog and (when installed) W&B 0.31 in offline mode, in the same run:

* ``log()`` of 10 float scalars: p50 / p99 per call, next to **the floor** — a
  loop that only reads the dict's keys and values and struct-packs them into
  an mmap, measured in this process (target: p50 <= 2x floor, p99 <= 50 us,
  >= 20x faster than W&B);
* sustained 10-scalar steps/s until ``finish()`` returns with every row in
  the WAL (target >= 100,000/s), and the trainer's RSS growth;
* the same from 8 threads logging at once (steps/s, every call one row: the
  rows in the WAL are checked), next to W&B offline from 8 threads;
* import + ``init()`` to the first ``log()`` returning, in a fresh
  interpreter (target <= 300 ms); ``finish()`` when idle (<= 200 ms);
* the sender's RSS and CPU at 1,000 steps/s (<= 80 MB, <= 5% of a core);
* handing a 1024x1024x3 uint8 array to the sender (``log({"img": Image(a)})``),
  next to ``np.copy`` of it (target <= 2x).

Each figure is a median over repeats where it says so; timings are
wall-clock on whatever machine runs this, so compare the ratios.
"""

from __future__ import annotations

import argparse
import mmap
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil


def have_wandb() -> bool:
    try:
        import wandb  # noqa: F401
    except ImportError:
        return False
    return True


def fmt_table(header: list[str], rows: list[list]) -> str:
    def cell(v) -> str:
        if isinstance(v, float):
            return "n/a" if v != v else f"{v:,.2f}"
        return str(v)

    cells = [header] + [[cell(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) if j else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths)))
                     for r in cells)

KEYS = [f"metric_{i}" for i in range(10)]


def _rows(n: int):
    rng = np.random.default_rng(0)
    base = rng.random((n, 10)).tolist()
    return [dict(zip(KEYS, r)) for r in base]


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    a = np.array(samples_ns, dtype=np.float64) / 1000.0
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def time_calls(fn, rows) -> tuple[float, float]:
    clock = time.perf_counter_ns
    out = []
    for d in rows:
        t0 = clock()
        fn(d)
        out.append(clock() - t0)
    return percentiles(out[len(out) // 10:])  # the first tenth warms caches


def floor(rows) -> tuple[float, float]:
    """The issue's floor: a loop that reads each key and value and struct-packs them into an mmap."""
    mm = mmap.mmap(-1, 1 << 24)
    pack_into = struct.Struct("<H8sd").pack_into
    limit = (1 << 24) - 4096
    pos = [0]

    def fn(d):
        off = pos[0]
        for k, v in d.items():
            pack_into(mm, off, len(k), k.encode(), v)
            off += 18
        pos[0] = off if off < limit else 0

    return time_calls(fn, rows)


def tight_bound(rows) -> tuple[float, float]:
    """Tighter than the floor: all values packed by one struct call, keys only read."""
    mm = mmap.mmap(-1, 1 << 24)
    pack_into = struct.Struct("<10d").pack_into
    limit = (1 << 24) - 4096
    pos = [0]

    def fn(d):
        tuple(d)
        off = pos[0]
        pack_into(mm, off, *d.values())
        pos[0] = off + 80 if off < limit else 0

    return time_calls(fn, rows)


def transport_choice(n: int = 200_000) -> dict:
    """Why a shared-memory ring and not a pipe: the cost of handing one 10-scalar frame over.

    Ring: the compiled RowPacker packs the frame straight into the mmap. Pipe:
    the same bytes written with os.write to a pipe a reader thread drains (a
    system call per frame; a blocked write if the reader falls behind).
    """
    import threading

    from tidelog.transport.fastpath import RowPacker

    lay = RowPacker(list(range(1, 11)), [], None)
    vals = tuple(float(i) for i in range(10))
    mm = mmap.mmap(-1, 1 << 24)
    limit = (1 << 24) - 2 * lay.size
    clock = time.perf_counter_ns
    off = 0
    t0 = clock()
    for i in range(n):
        lay.pack_into(mm, off, vals, i, 1.0, i)
        off = off + lay.size if off < limit else 0
    ring_ns = (clock() - t0) / n
    r, w = os.pipe()
    done = threading.Event()

    def drain():
        while os.read(r, 1 << 20):
            pass
        done.set()

    threading.Thread(target=drain, daemon=True).start()
    t0 = clock()
    for i in range(n):
        os.write(w, lay.pack(vals, i, 1.0, i))
    pipe_ns = (clock() - t0) / n
    os.close(w)
    done.wait(10)
    os.close(r)
    return {"ring_us": ring_ns / 1000, "pipe_us": pipe_ns / 1000}


def tidelog_latency(rows, tmp: Path) -> tuple[float, float]:
    import tidelog

    run = tidelog.init(project="bench", dir=tmp / "lat", config={"bench": "latency"})
    try:
        return time_calls(run.log, rows)
    finally:
        run.finish()


def wandb_latency(rows, tmp: Path) -> tuple[float, float]:
    import wandb

    run = wandb.init(project="bench", dir=str(tmp / "wb"), mode="offline", settings=wandb.Settings(silent=True))
    try:
        return time_calls(run.log, rows)
    finally:
        run.finish()


def sustained(n: int, tmp: Path) -> dict:
    import tidelog
    from tidelog.read.run import RunState

    rows = _rows(min(n, 200_000))
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    run = tidelog.init(project="bench", dir=tmp / "sus")
    t0 = time.perf_counter()
    log = run.log
    m = len(rows)
    for i in range(n):
        log(rows[i % m])
    t_logged = time.perf_counter()
    rss1 = proc.memory_info().rss
    run.finish()
    t1 = time.perf_counter()
    state = RunState.load(run.dir)
    return {
        "steps": n,
        "log_only_per_s": n / (t_logged - t0),
        "to_wal_per_s": n / (t1 - t0),
        "rows_in_wal": state.rows,
        "rss_growth_mb": (rss1 - rss0) / 2**20,
    }


def threaded(n: int, threads: int, tmp: Path, mod: str = "tidelog") -> dict:
    """``n`` 10-scalar steps logged from ``threads`` threads at once: steps/s until every call
    returned, and until ``finish()`` returned (tidelog: with every row checked in the WAL)."""
    import threading

    rows = _rows(min(n, 200_000))
    per = n // threads
    if mod == "wandb":
        import wandb

        run = wandb.init(project="bench", dir=str(tmp / "wbthr"), mode="offline",
                         settings=wandb.Settings(silent=True))
    else:
        import tidelog

        run = tidelog.init(project="bench", dir=tmp / f"thr{threads}")
    barrier = threading.Barrier(threads + 1)

    def work(t: int) -> None:
        log, m = run.log, len(rows)
        barrier.wait()
        for i in range(t * per, (t + 1) * per):
            log(rows[i % m])

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    barrier.wait()
    t0 = time.perf_counter()
    for th in pool:
        th.join()
    t_logged = time.perf_counter()
    run.finish()
    t1 = time.perf_counter()
    out = {"steps": per * threads, "log_only_per_s": per * threads / (t_logged - t0),
           "to_finish_per_s": per * threads / (t1 - t0), "rows_in_wal": None}
    if mod == "tidelog":
        from tidelog.read.run import RunState

        out["rows_in_wal"] = RunState.load(run.dir).rows
    return out


_STARTUP = r"""
import time, sys
t0 = time.perf_counter()
import {mod} as m
run = m.init(project="bench", dir=sys.argv[1], {extra})
run.log({{"loss": 0.5}})
t1 = time.perf_counter()
time.sleep(1.0)
t2 = time.perf_counter()
run.finish()
t3 = time.perf_counter()
print(f"{{(t1 - t0) * 1000:.1f}} {{(t3 - t2) * 1000:.1f}}")
"""


def startup(mod: str, tmp: Path, repeats: int) -> tuple[float, float]:
    extra = 'mode="offline", settings=m.Settings(silent=True)' if mod == "wandb" else ""
    code = _STARTUP.format(mod=mod, extra=extra)
    firsts, finishes = [], []
    for i in range(repeats):
        out = subprocess.run([sys.executable, "-c", code, str(tmp / f"st-{mod}-{i}")],
                             capture_output=True, text=True, check=True)
        a, b = out.stdout.split()[-2:]
        firsts.append(float(a))
        finishes.append(float(b))
    return statistics.median(firsts), statistics.median(finishes)


def sender_footprint(tmp: Path, seconds: float) -> dict:
    import tidelog

    run = tidelog.init(project="bench", dir=tmp / "fp")
    time.sleep(1.0)  # let the sender start up before measuring it
    sender = psutil.Process(run._link.supervisor.pid)
    cpu0 = sender.cpu_times()
    rss_max = 0
    t0 = time.perf_counter()
    i = 0
    rows = _rows(1000)
    while (now := time.perf_counter()) - t0 < seconds:
        run.log(rows[i % 1000])
        i += 1
        target = t0 + i / 1000.0
        if target > now:
            time.sleep(target - now)
        if i % 500 == 0:
            rss_max = max(rss_max, sender.memory_info().rss)
    wall = time.perf_counter() - t0
    cpu1 = sender.cpu_times()
    rss_max = max(rss_max, sender.memory_info().rss)
    run.finish()
    busy = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return {"steps_per_s": i / wall, "cpu_percent": 100 * busy / wall, "rss_mb": rss_max / 2**20}


def _alternate(fn_a, fn_b, repeats: int, pause: float) -> tuple[float, float]:
    """Median times of a and b, each timed after the same pause (same cache and clock state)."""
    a, b = [], []
    for _ in range(repeats):
        time.sleep(pause)
        t0 = time.perf_counter_ns()
        fn_a()
        a.append(time.perf_counter_ns() - t0)
        time.sleep(pause)
        t0 = time.perf_counter_ns()
        fn_b()
        b.append(time.perf_counter_ns() - t0)
    return statistics.median(a) / 1000, statistics.median(b) / 1000


def image_handoff(tmp: Path, repeats: int) -> dict:
    """``log({"img": Image(a)})`` against ``np.copy(a)``, alternated, each after a pause in which
    the sender encodes the previous image, as between training steps."""
    import tidelog

    arr = np.random.default_rng(0).integers(0, 255, (1024, 1024, 3), dtype=np.uint8)
    run = tidelog.init(project="bench", dir=tmp / "img")
    time.sleep(1.0)
    copy_us, log_us = _alternate(lambda: np.copy(arr), lambda: run.log({"img": tidelog.Image(arr)}),
                                 repeats, pause=0.3)
    run.finish()
    return {"np_copy_us": copy_us, "log_us": log_us}


def wandb_image(tmp: Path, repeats: int) -> float:
    import wandb

    arr = np.random.default_rng(0).integers(0, 255, (1024, 1024, 3), dtype=np.uint8)
    run = wandb.init(project="bench", dir=str(tmp / "wbimg"), mode="offline", settings=wandb.Settings(silent=True))
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        run.log({"img": wandb.Image(arr)})
        out.append(time.perf_counter_ns() - t0)
    run.finish()
    return statistics.median(out) / 1000


def print_threaded(tmp: Path, n_thr: int, use_wandb: bool) -> None:
    thr = threaded(n_thr, 8, tmp)
    line = (f"8 threads: {thr['steps']:,} steps of 10 scalars; all log() calls returned at "
            f"{thr['log_only_per_s']:,.0f}/s, finish() returned at {thr['to_finish_per_s']:,.0f}/s; "
            f"rows in WAL {thr['rows_in_wal']:,} of {thr['steps']:,} calls")
    if use_wandb:
        wthr = threaded(min(n_thr, 40_000), 8, tmp, "wandb")
        line += (f"; W&B offline 8 threads {wthr['to_finish_per_s']:,.0f}/s "
                 f"(ours {thr['to_finish_per_s'] / wthr['to_finish_per_s']:.1f}x)")
    print(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-wandb", action="store_true")
    ap.add_argument("--calls", type=int, default=50_000)
    ap.add_argument("--sustained", type=int, default=1_000_000)
    ap.add_argument("--only-latency", action="store_true",
                    help="print only the log() p50/p99 table and the 8-thread figure (quick before/after checks)")
    args = ap.parse_args()
    calls = 10_000 if args.quick else args.calls
    n_sus = 200_000 if args.quick else args.sustained
    use_wandb = have_wandb() and not args.no_wandb
    os.environ.setdefault("WANDB_SILENT", "true")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = _rows(calls)
        f50, f99 = floor(rows)
        b50, b99 = tight_bound(rows)
        t50, t99 = tidelog_latency(rows, tmp)
        w50 = w99 = float("nan")
        if use_wandb:
            w50, w99 = wandb_latency(rows[: min(calls, 20_000)], tmp)
        print("\nlog() of 10 float scalars, caller side (us)")
        print(fmt_table(["", "p50", "p99", "p50 / floor", "W&B p50 / ours"], [
            ["floor: per-key loop, struct-pack into mmap", f50, f99, 1.0, ""],
            ["tighter bound: one pack of all values", b50, b99, b50 / f50, ""],
            ["tidelog", t50, t99, t50 / f50, w50 / t50 if use_wandb else "n/a"],
            ["W&B offline", w50, w99, w50 / f50, ""],
        ]))
        print_threaded(tmp, 80_000 if args.quick else 400_000, use_wandb)
        if args.only_latency:
            return
        tc = transport_choice()
        print(f"\ntransport: one 10-scalar frame into the shared-memory ring {tc['ring_us']:.2f} us, "
              f"through a pipe {tc['pipe_us']:.2f} us ({tc['pipe_us'] / tc['ring_us']:.1f}x): the ring it is")
        sus = sustained(n_sus, tmp)
        print(f"\nsustained: {sus['steps']:,} steps of 10 scalars; log() loop {sus['log_only_per_s']:,.0f}/s; "
              f"until finish() returned with all in the WAL {sus['to_wal_per_s']:,.0f}/s; "
              f"rows in WAL {sus['rows_in_wal']:,}; trainer RSS growth {sus['rss_growth_mb']:.1f} MB")
        reps = 3 if args.quick else 5
        s_first, s_fin = startup("tidelog", tmp, reps)
        line = f"\nimport + init() to first log (median of {reps}): tidelog {s_first:.0f} ms"
        if use_wandb:
            w_first, w_fin = startup("wandb", tmp, reps)
            line += f", W&B {w_first:.0f} ms (ratio {w_first / s_first:.1f}x)"
        print(line)
        line = f"finish() when idle: tidelog {s_fin:.0f} ms"
        if use_wandb:
            line += f", W&B {w_fin:.0f} ms"
        print(line)
        fp = sender_footprint(tmp, 5.0 if args.quick else 10.0)
        print(f"sender at {fp['steps_per_s']:,.0f} steps/s: CPU {fp['cpu_percent']:.1f}% of a core, RSS {fp['rss_mb']:.1f} MB")
        img = image_handoff(tmp, 10 if args.quick else 20)
        line = (f"1024x1024x3 uint8 image to the sender: log() {img['log_us']:.0f} us, np.copy {img['np_copy_us']:.0f} us, "
                f"ratio {img['log_us'] / img['np_copy_us']:.2f}x")
        if use_wandb:
            wi = wandb_image(tmp, 5)
            line += f"; W&B log() {wi:.0f} us ({wi / img['np_copy_us']:.0f}x np.copy)"
        print(line)


if __name__ == "__main__":
    main()
