"""The sender's CPU and RSS with system metrics on, and what one sample costs.

    python benchmarks/bench_sysmetrics.py [--seconds 10]

A training loop logs 1,000 steps/s for ``--seconds``; measured: CPU (percent of a core)
and peak RSS of everything the logger runs beside the trainer. tidelog: the sender, with
system metrics off (``TIDELOG_STATS_INTERVAL=0``), at the default 15 s, and every 1 s.
W&B offline (``wandb==0.31.0``, in the same run when installed): its service process tree
(``wandb-core`` and its system monitor), default sampling (15 s) and 1 s. Then the median
time of one ``SystemStatsSampler.sample()`` in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r'''
import json, os, sys, time
import psutil
mod, interval, base, seconds, out = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
if mod == "tidelog":
    os.environ["TIDELOG_STATS_INTERVAL"] = interval
    import tidelog
    run = tidelog.init(dir=base, project="bench", settings={"console": "off"})
else:
    os.environ["WANDB_SILENT"] = "true"
    import wandb
    s = wandb.Settings(console="off", **({"x_stats_sampling_interval": float(interval)} if interval != "default" else {}))
    run = wandb.init(dir=base, project="bench", mode="offline", settings=s)
time.sleep(1.0)
me = psutil.Process()
helpers = [p for p in me.children(recursive=True)]
cpu0 = sum(sum(p.cpu_times()[:2]) for p in helpers)
rss = 0
t0 = time.perf_counter()
i = 0
while (now := time.perf_counter()) - t0 < seconds:
    run.log({"loss": 1.0 / (i + 1), "acc": i * 1e-6, "step_i": i})
    i += 1
    target = t0 + i / 1000.0
    if target > now:
        time.sleep(target - now)
    if i % 500 == 0:
        rss = max(rss, sum(p.memory_info().rss for p in helpers))
wall = time.perf_counter() - t0
cpu1 = sum(sum(p.cpu_times()[:2]) for p in helpers)
run.finish()
with open(out, "w") as f:
    json.dump({"cpu_percent": 100 * (cpu1 - cpu0) / wall, "rss_mb": rss / 2**20, "steps_per_s": i / wall,
               "helpers": len(helpers)}, f)
'''


def one(mod: str, interval: str, seconds: float, tmp: Path, k: int) -> dict:
    out = tmp / f"{mod}-{interval}-{k}.json"
    env = {key: v for key, v in os.environ.items() if not key.startswith(("TIDELOG_", "WANDB_"))}
    subprocess.run([sys.executable, "-c", CHILD, mod, interval, str(tmp / f"{mod}-{interval}-{k}"), str(seconds),
                    str(out)], env=env, check=True, capture_output=True)
    return json.loads(out.read_text())


def sample_cost(tmp: Path, n: int = 200) -> float:
    from tidelog.sender.stats import SystemStatsSampler

    s = SystemStatsSampler(os.getpid(), tmp, 15.0)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        s.sample()
        times.append(time.perf_counter() - t)
    s.close()
    return statistics.median(times) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    try:
        import wandb  # noqa: F401
        have_wandb = True
    except ImportError:
        have_wandb = False
    configs = [("tidelog", "0"), ("tidelog", "15"), ("tidelog", "1")]
    if have_wandb:
        configs += [("wandb", "default"), ("wandb", "1")]
    with tempfile.TemporaryDirectory(prefix="bench-sys-") as d:
        tmp = Path(d)
        res = {c: one(*c, args.seconds, tmp, 0) for c in configs}
        cost = sample_cost(tmp)
    print(f"logging 1,000 steps/s for {args.seconds:g} s; CPU of the logger's helper processes, peak RSS")
    for (mod, interval), r in res.items():
        label = {"0": "off", "default": "15 s (default)", "15": "15 s (default)"}.get(interval, f"{interval} s")
        print(f"  {mod:8s} system metrics {label:15s} CPU {r['cpu_percent']:5.1f}% of a core   RSS {r['rss_mb']:6.1f} MB"
              f"   ({r['helpers']} process(es), {r['steps_per_s']:,.0f} steps/s)")
    print(f"one tidelog sample (host, trainer tree, no GPU): median {cost:.0f} us")
    if have_wandb:
        t, w = res[("tidelog", "15")], res[("wandb", "default")]
        print(f"ratio W&B / tidelog at the default interval: CPU {w['cpu_percent'] / max(t['cpu_percent'], 1e-9):.1f}x, "
              f"RSS {w['rss_mb'] / t['rss_mb']:.1f}x")


if __name__ == "__main__":
    main()
