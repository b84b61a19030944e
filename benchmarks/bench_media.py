"""Rich media in ``log()``: the caller's cost per heavy type, and a burst of images, side by side with W&B offline.

Run:  python benchmarks/bench_media.py                 (W&B columns need `pip install -e ".[bench]"`;
                                                        its Audio and Video from arrays need "wandb[media]",
                                                        i.e. soundfile and moviepy, else they print n/a)
      python benchmarks/bench_media.py --quick         (fewer repeats, a smaller burst)
      python benchmarks/bench_media.py --burst-steps 100 --per-step 50   (the full burst)
      python benchmarks/bench_media.py --only-burst     (the back-to-back burst and the encode rate only)

Prints, for tidelog and (when installed) W&B 0.31 in offline mode, in the same run:

* ``log({"img": Image(a)})`` of a 1024x1024x3 uint8 array, caller side
  (``Image(a)`` takes the snapshot, ``log()`` copies it into the transport),
  next to ``np.copy(a)`` timed under the same conditions: the two alternate,
  each after the same pause in which the sender encodes the previous image,
  as between training steps (bench_log.py's ``_alternate`` method, here
  keeping every sample for the p90). Target for tidelog: median <= 3x
  np.copy. W&B's ``log()`` of the same image alternates with its own np.copy
  in its own run.
* a back-to-back burst (``--b2b``, 30 by default) of distinct 1024x1024x3
  images, one ``log({"img": Image(buf)})`` right after the other, each
  framework in a fresh interpreter: the caller's cost per image (median, p90,
  mean) next to ``np.copy`` of the same buffers back to back, both with the
  copy dropped (cache-hot, reused memory) and with every copy kept (fresh
  pages, what holding the burst's snapshots costs). Target for tidelog:
  <= 3x np.copy per image. Details in ``_media_burst.py``.
* the sender's encode rate: images/s its encoder pool encodes with 1 worker
  and with every core (``tidelog.sender.encode_pool``), next to W&B's, whose
  ``Image()`` encodes the PNG on the caller's thread.
* the same for the other heavy types: an Audio of 10 s at 44.1 kHz float32,
  a Video (16, 3, 64, 64) uint8, a Histogram of 1M float64, a Table of
  10,000 x 5 (its reference is a copy of the row lists, not np.copy); each
  timed call includes building the data type, as a training script does.
* a burst: ``--per-step`` distinct 1024x1024x3 images per step for
  ``--burst-steps`` steps, one ``log()`` per step, each framework in a fresh
  interpreter: wall time until ``finish()`` returned, the trainer's peak RSS
  growth (psutil, sampled every 5 ms by a thread), the largest the spill
  file got (tidelog), and whether every image landed (image files counted;
  for tidelog also the history rows read back through ``tidelog.Api``,
  each image value checked against its file's sha256).

Timings are wall-clock on whatever machine runs this, so compare the ratios.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _media_burst import back_to_back_child, print_burst_figures
from bench_log import fmt_table, have_wandb

SIDE = 1024


# --------------------------------------------------------------------------
# timing: bench_log.py's _alternate, keeping the samples


def _alternate(fn_a, fn_b, repeats: int, pause: float) -> tuple[list[float], list[float]]:
    """Times (us) of a and b, alternated, each after the same pause (same cache and clock state)."""
    a, b = [], []
    for _ in range(repeats):
        time.sleep(pause)
        t0 = time.perf_counter_ns()
        fn_a()
        a.append((time.perf_counter_ns() - t0) / 1000)
        time.sleep(pause)
        t0 = time.perf_counter_ns()
        fn_b()
        b.append((time.perf_counter_ns() - t0) / 1000)
    return a, b


def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _p90(xs: list[float]) -> float:
    return float(np.percentile(xs, 90)) if xs else float("nan")


# --------------------------------------------------------------------------
# the inputs


def _inputs() -> dict:
    rng = np.random.default_rng(0)
    t = np.arange(441_000, dtype=np.float32) / 44_100
    rows = [[i, float(rng.random()), float(rng.normal()), f"text {i % 97}", bool(i % 2)] for i in range(10_000)]
    return {
        "image": rng.integers(0, 255, (SIDE, SIDE, 3), dtype=np.uint8),
        "audio": (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32),
        "video": rng.integers(0, 255, (16, 3, 64, 64), dtype=np.uint8),
        "histogram": rng.normal(size=1_000_000),
        "table": rows,
    }


TABLE_COLUMNS = ["step", "score", "noise", "text", "flag"]


def _makers(mod) -> dict:
    """Per type: (build the value to log from the input, the reference copy)."""
    return {
        "image": (lambda a: mod.Image(a), np.copy),
        "audio": (lambda a: mod.Audio(a, sample_rate=44_100), np.copy),
        "video": (lambda a: mod.Video(a, fps=4, format="gif"), np.copy),
        "histogram": (lambda a: mod.Histogram(a), np.copy),
        "table": (lambda rows: mod.Table(columns=TABLE_COLUMNS, data=rows), lambda rows: [r[:] for r in rows]),
    }


LABELS = {
    "image": "Image 1024x1024x3 uint8",
    "audio": "Audio 10 s 44.1 kHz float32",
    "video": "Video (16,3,64,64) uint8 gif",
    "histogram": "Histogram of 1M float64",
    "table": "Table 10,000 x 5",
}


def _nbytes(value) -> float:
    if isinstance(value, np.ndarray):
        return value.nbytes / 2**20
    return float("nan")


def measure(framework: str, tmp: Path, inputs: dict, kinds: list[str], repeats: dict, pause: float) -> dict:
    """{kind: (reference samples, log samples) or an error string}, in one run of ``framework``."""
    if framework == "tidelog":
        import tidelog as mod

        run = mod.init(project="bench", dir=str(tmp / "tl"))
    else:
        import wandb as mod

        run = mod.init(project="bench", dir=str(tmp / "wb"), mode="offline", settings=mod.Settings(silent=True))
    time.sleep(1.0)  # let the sender (or W&B's service) settle
    out: dict = {}
    makers = _makers(mod)
    try:
        for kind in kinds:
            build, ref = makers[kind]
            data = inputs[kind]
            key = kind
            try:
                run.log({key: build(data)})  # warm up: first-use imports, key definitions
            except Exception as e:  # noqa: BLE001 - a peer that cannot log this type is reported, not fatal
                out[kind] = f"{type(e).__name__}: {str(e).splitlines()[0][:90]}"
                continue
            out[kind] = _alternate(lambda: ref(data), lambda: run.log({key: build(data)}), repeats[kind], pause)
    finally:
        run.finish()
    return out


# --------------------------------------------------------------------------
# the burst, in a fresh interpreter per framework

_BURST_POOL = 8


def _burst_pool() -> np.ndarray:
    return np.random.default_rng(1).integers(0, 255, (_BURST_POOL, SIDE, SIDE, 3), dtype=np.uint8)


def burst_child(framework: str, base: Path, steps: int, per_step: int) -> dict:
    """Log ``steps`` x ``per_step`` distinct images, one log() per step; figures as a dict."""
    proc = psutil.Process()
    pool = _burst_pool()
    bufs = [np.empty((SIDE, SIDE, 3), dtype=np.uint8) for _ in range(per_step)]

    def fill(buf, step, i):
        buf[:] = pool[(step * per_step + i) % _BURST_POOL]
        buf[0, 0] = (step % 256, i % 256, step // 256)  # every image distinct

    for i, b in enumerate(bufs):
        fill(b, 0, i)
    if framework == "tidelog":
        import tidelog as mod

        run = mod.init(project="burst", dir=str(base), id="burst")
        spill = Path(run.dir) / "transport"  # spill episodes are files spill.<n> in here
    else:
        import wandb as mod

        run = mod.init(project="burst", dir=str(base), mode="offline", settings=mod.Settings(silent=True))
        spill = None
    run.log({"warmup": 0.0})
    time.sleep(0.5)
    rss0 = proc.memory_info().rss
    peak = {"rss": rss0, "spill": 0}
    stop = threading.Event()

    def sample():
        while not stop.wait(0.005):
            peak["rss"] = max(peak["rss"], proc.memory_info().rss)
            if spill is not None:
                size = 0
                for episode in spill.glob("spill.*"):
                    try:
                        size += episode.stat().st_size
                    except FileNotFoundError:  # drained and deleted meanwhile
                        pass
                peak["spill"] = max(peak["spill"], size)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    for step in range(steps):
        for i, b in enumerate(bufs):
            fill(b, step, i)
        run.log({f"img_{i:02d}": mod.Image(b) for i, b in enumerate(bufs)})
    t_logged = time.perf_counter()
    run_dir = run.dir
    run.finish()
    t_done = time.perf_counter()
    stop.set()
    sampler.join()
    peak["rss"] = max(peak["rss"], proc.memory_info().rss)
    return {
        "framework": framework,
        "log_loop_s": t_logged - t0,
        "wall_s": t_done - t0,
        "rss_growth_mb": (peak["rss"] - rss0) / 2**20,
        "spill_peak_mb": peak["spill"] / 2**20,
        "run_dir": str(run_dir),
    }


def burst_check_tidelog(base: Path, steps: int, per_step: int, run_dir: str) -> dict:
    """Image files on disk, and history rows whose every image value matches its file's sha256."""
    import tidelog

    files = list((Path(run_dir) / "media" / "images").glob("*.png"))
    rows = list(tidelog.Api(dir=str(base)).run("burst/burst").scan_history())
    complete = 0
    digests = set()
    for row in rows:
        values = [row.get(f"img_{i:02d}") for i in range(per_step)]
        if not all(isinstance(v, dict) and v.get("_type") == "image-file" for v in values):
            continue
        ok = True
        for v in values:
            data = (Path(run_dir) / v["path"]).read_bytes()
            ok &= hashlib.sha256(data).hexdigest() == v["sha256"]
            digests.add(v["sha256"])
        complete += ok
    return {"files": len(files), "rows_complete": complete, "distinct": len(digests)}


def burst_check_wandb(run_dir: str) -> dict:
    # W&B's offline history sits in its .wandb protobuf log; count the image files it wrote.
    files = list(Path(run_dir).rglob("media/images/*.png"))
    return {"files": len(files), "rows_complete": float("nan"), "distinct": len({p.name for p in files})}


def run_burst(framework: str, tmp: Path, steps: int, per_step: int) -> dict:
    base = tmp / f"burst-{framework}"
    env = {**os.environ, "WANDB_SILENT": "true"}
    out = subprocess.run(
        [sys.executable, __file__, "--_burst-child", framework, str(base), str(steps), str(per_step)],
        capture_output=True, text=True, env=env,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    check = burst_check_tidelog(base, steps, per_step, result["run_dir"]) if framework == "tidelog" \
        else burst_check_wandb(result["run_dir"])
    return {**result, **check}


# --------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats and a 2-step burst")
    ap.add_argument("--no-wandb", action="store_true", help="tidelog only")
    ap.add_argument("--repeats", type=int, default=20, help="alternations per type (default 20)")
    ap.add_argument("--pause", type=float, default=0.3, help="seconds before each timed call (default 0.3)")
    ap.add_argument("--burst-steps", type=int, default=4, help="steps in the burst (default 4; the full burst is 100)")
    ap.add_argument("--per-step", type=int, default=50, help="images per step in the burst (default 50)")
    ap.add_argument("--no-burst", action="store_true")
    ap.add_argument("--b2b", type=int, default=30, help="images in the back-to-back burst (default 30)")
    ap.add_argument("--only-burst", action="store_true", help="only the back-to-back burst and the encode rate")
    ap.add_argument("--_burst-child", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--_b2b-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._burst_child:
        fw, base, steps, per_step = args._burst_child
        print(json.dumps(burst_child(fw, Path(base), int(steps), int(per_step))))
        return
    if args._b2b_child:
        fw, base, n = args._b2b_child
        print(json.dumps(back_to_back_child(fw, Path(base), int(n))))
        return

    use_wandb = have_wandb() and not args.no_wandb
    os.environ.setdefault("WANDB_SILENT", "true")
    if args.only_burst:
        with tempfile.TemporaryDirectory() as d:
            print_burst_figures(__file__, Path(d), args.b2b, use_wandb)
        return
    reps = 8 if args.quick else args.repeats
    steps = 2 if args.quick else args.burst_steps
    kinds = list(LABELS)
    repeats = {k: reps for k in kinds}
    inputs = _inputs()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        ours = measure("tidelog", tmp, inputs, kinds, repeats, args.pause)
        theirs = measure("wandb", tmp, inputs, kinds, repeats, args.pause) if use_wandb else {}

        copy_us, log_us = ours["image"]
        print(f"\n1024x1024x3 uint8 Image, caller side (us): log({{\"img\": Image(a)}}) alternated with np.copy(a), "
              f"each after a {args.pause:.2f} s pause, {reps} of each")
        rows = [
            ["np.copy(a), in the tidelog run", _med(copy_us), _p90(copy_us), 1.0, _p90(copy_us) / _med(copy_us)],
            ["tidelog log()", _med(log_us), _p90(log_us), _med(log_us) / _med(copy_us), _p90(log_us) / _med(copy_us)],
        ]
        w = theirs.get("image")
        if isinstance(w, tuple):
            wc, wl = w
            rows += [
                ["np.copy(a), in the W&B run", _med(wc), _p90(wc), 1.0, _p90(wc) / _med(wc)],
                ["W&B offline log()", _med(wl), _p90(wl), _med(wl) / _med(wc), _p90(wl) / _med(wc)],
            ]
        print(fmt_table(["", "median", "p90", "median / np.copy", "p90 / np.copy median"], rows))
        line = f"target: tidelog median <= 3x np.copy -> {_med(log_us) / _med(copy_us):.2f}x"
        if isinstance(w, tuple):
            line += f"; W&B median / tidelog median {_med(wl) / _med(log_us):.0f}x"
        print(line)

        print(f"\nheavy types, caller side (us), each call after a {args.pause:.2f} s pause, "
              f"{reps} of each; ref = np.copy of the input (Table: a copy of its row lists)")
        header = ["type", "input MB", "ref med", "tidelog med", "tidelog p90", "tidelog / ref",
                  "W&B med", "W&B p90", "W&B / ref", "W&B / tidelog"]
        table_rows = []
        notes = []
        for kind in kinds:
            rc, rl = ours[kind] if isinstance(ours[kind], tuple) else ([], [])
            row = [LABELS[kind], _nbytes(inputs[kind]), _med(rc), _med(rl), _p90(rl), _med(rl) / _med(rc)]
            w = theirs.get(kind)
            if isinstance(w, tuple):
                wc, wl = w
                row += [_med(wl), _p90(wl), _med(wl) / _med(wc), _med(wl) / _med(rl)]
            else:
                row += [float("nan")] * 4
                if isinstance(w, str):
                    notes.append(f"W&B {LABELS[kind]}: n/a, its log() raised {w}")
            if isinstance(ours[kind], str):
                notes.append(f"tidelog {LABELS[kind]}: n/a, its log() raised {ours[kind]}")
            table_rows.append(row)
        print(fmt_table(header, table_rows))
        for n in notes:
            print(n)

        if args.no_burst:
            return
        print_burst_figures(__file__, tmp, args.b2b, use_wandb)
        total_gb = steps * args.per_step * SIDE * SIDE * 3 / 2**30
        print(f"\nburst: {steps} steps x {args.per_step} distinct 1024x1024x3 images, one log() per step "
              f"({total_gb:.2f} GiB), fresh interpreter each")
        results = [("tidelog", run_burst("tidelog", tmp, steps, args.per_step))]
        if use_wandb:
            results.append(("W&B offline", run_burst("wandb", tmp, steps, args.per_step)))
        brows = []
        for name, r in results:
            if "error" in r:
                print(f"{name}: failed: {r['error']}")
                continue
            brows.append([name, r["log_loop_s"], r["wall_s"], r["rss_growth_mb"],
                          r["spill_peak_mb"] if name == "tidelog" else "n/a",
                          f"{r['files']}/{steps * args.per_step}",
                          f"{r['rows_complete']}/{steps}" if name == "tidelog" else "n/a (not read back)"])
        print(fmt_table(["", "log() loop s", "until finish() returned s", "peak RSS growth MB",
                         "spill file peak MB", "image files", "rows complete, sha256 ok"], brows))
        if len(brows) == 2:
            print(f"W&B / tidelog wall time until finish(): {brows[1][2] / brows[0][2]:.1f}x")


if __name__ == "__main__":
    main()
