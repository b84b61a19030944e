"""Console capture cost: a training script printing 100,000 lines, capture on (wrap, the
default ``auto``, and the fd-level ``redirect``) vs off.

    python benchmarks/bench_console.py [--lines 100000] [--repeats 3] [--target pty|file]

Each configuration is a fresh process whose stdout/stderr go to a pseudo-terminal
(drained here as a terminal would) or to a file; the script times its own print loop
(including the final flush) and, separately, ``finish()``. Side by side, in the same
run, W&B offline (``wandb==0.31.0``, ``pip install -e '.[bench]'``) with its default
console capture (wrap) and its ``redirect`` and ``console="off"``. Target: tidelog on/off <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import json, os, sys, time
mod, mode, base, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
run = None
if mod == "tidelog":
    import tidelog
    run = tidelog.init(dir=base, project="bench", settings={"console": mode})
elif mod == "wandb":
    os.environ["WANDB_SILENT"] = "true"
    import wandb
    run = wandb.init(dir=base, project="bench", mode="offline", settings=wandb.Settings(console=mode))
t0 = time.perf_counter()
for i in range(n):
    print(f"step {i} loss {1.0 / (i + 1):.6f} lr 3.0e-04")
sys.stdout.flush()
t1 = time.perf_counter()
if run is not None:
    run.finish()
t2 = time.perf_counter()
with open(out, "w") as f:
    json.dump({"print_s": t1 - t0, "finish_s": t2 - t1}, f)
'''


def _drain_pty(proc: subprocess.Popen, master: int) -> int:
    got = 0
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise RuntimeError("the benchmark child stopped writing")
        try:
            data = os.read(master, 1 << 16)
        except OSError:
            break
        if not data:
            break
        got += len(data)
    return got


def one(mod: str, mode: str, n: int, target: str, tmp: Path, k: int) -> dict:
    base = tmp / f"{mod}-{mode}-{k}"
    out = tmp / f"{mod}-{mode}-{k}.json"
    cmd = [sys.executable, "-c", CHILD, mod, mode, str(base), str(n), str(out)]
    env = {key: v for key, v in os.environ.items() if not key.startswith(("TIDELOG_", "WANDB_"))}
    if target == "pty":
        master, slave = os.openpty()
        proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        try:
            _drain_pty(proc, master)
        finally:
            os.close(master)
        proc.wait()
    else:
        with open(tmp / "out.txt", "wb") as f:
            subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, check=True)
    return json.loads(out.read_text())


def stored_lines(tmp: Path, k: int) -> int:
    from tidelog.read.streams import console_lines

    runs = list((tmp / f"tidelog-auto-{k}" / "tidelog").glob("run-*"))
    return len(console_lines(runs[0])) if runs else -1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--target", choices=["pty", "file"], default="pty")
    args = ap.parse_args()
    try:
        import wandb  # noqa: F401
        have_wandb = True
    except ImportError:
        have_wandb = False
    configs = [("none", "-"), ("tidelog", "off"), ("tidelog", "auto"), ("tidelog", "redirect")]
    if have_wandb:
        configs += [("wandb", "off"), ("wandb", "auto"), ("wandb", "redirect")]
    results: dict[tuple[str, str], list[dict]] = {c: [] for c in configs}
    with tempfile.TemporaryDirectory(prefix="bench-console-") as d:
        tmp = Path(d)
        for k in range(args.repeats):          # interleaved, so drift in machine load hits all alike
            for c in configs:
                results[c].append(one(*c, args.lines, args.target, tmp, k))
        lines = stored_lines(tmp, 0)
    med = {c: statistics.median(r["print_s"] for r in rs) for c, rs in results.items()}
    fin = {c: statistics.median(r["finish_s"] for r in rs) for c, rs in results.items()}
    print(f"{args.lines:,} printed lines to a {args.target}, median of {args.repeats}")
    for c in configs:
        print(f"  {c[0]:8s} console={c[1]:5s} print loop {med[c] * 1000:8.1f} ms   finish() {fin[c] * 1000:7.1f} ms")
    t = med[("tidelog", "auto")] / med[("tidelog", "off")]
    r = med[("tidelog", "redirect")] / med[("tidelog", "off")]
    print(f"tidelog capture on (auto = wrap) / off: {t:.2f}x (target <= 1.5x); redirect / off: {r:.2f}x; "
          f"lines stored by the wrap capture: {lines:,}")
    if have_wandb:
        w = med[("wandb", "auto")] / med[("wandb", "off")]
        wr = med[("wandb", "redirect")] / med[("wandb", "off")]
        print(f"W&B offline capture on (auto) / off: {w:.2f}x; redirect / off: {wr:.2f}x; tidelog / W&B: "
              f"auto {med[('tidelog', 'auto')] / med[('wandb', 'auto')]:.2f}x, "
              f"redirect {med[('tidelog', 'redirect')] / med[('wandb', 'redirect')]:.2f}x")


if __name__ == "__main__":
    main()
