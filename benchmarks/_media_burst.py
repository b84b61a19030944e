"""bench_media.py's burst figures: back-to-back images, and the sender's encode rate.

* ``back_to_back_child``: in a fresh interpreter, ``n`` distinct 1024x1024x3
  images, each ``log({"img": Image(buf)})`` right after the last (the buffer
  refilled in between, as a training loop does), timing each call. With the
  default 32 MiB ring about ten fit; the rest go through the spill file while
  the sender encodes. The references, timed in the same process just before,
  under the same refill: ``np.copy(buf)`` back to back with the copy dropped
  (its memory is reused: cache-hot), and with every copy kept (what holding
  ``n`` snapshots costs: fresh pages). Also the wall time until ``finish()``
  returned (the sender's drain).
* ``encode_rate``: the sender's ``MediaEncoder`` (``tidelog.sender.encode_pool``)
  encoding ``n`` distinct 1024x1024x3 images from trainer-laid-out frames,
  with 1 worker and with every core: images per second, files written.
  W&B's counterpart: ``wandb.Image(a)`` encodes its PNG in the constructor,
  on the caller's thread, so its rate is 1 / that call.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["SIDE", "back_to_back_child", "encode_rate", "print_burst_figures", "wandb_encode_rate"]

SIDE = 1024


def _images() -> np.ndarray:
    pool = np.random.default_rng(7).integers(0, 255, (8, SIDE, SIDE, 3), dtype=np.uint8)
    return pool


def _fill(buf: np.ndarray, pool: np.ndarray, i: int) -> None:
    buf[:] = pool[i % len(pool)]
    buf[0, 0] = (i % 256, i // 256, 9)  # every image distinct


def _stats(ms: list[float]) -> dict:
    return {"median": statistics.median(ms), "p90": float(np.percentile(ms, 90)), "mean": float(np.mean(ms))}


def back_to_back_child(framework: str, base: Path, n: int) -> dict:
    """Per-call cost (ms) of ``n`` images logged back to back, and the np.copy references."""
    pool = _images()
    buf = np.empty((SIDE, SIDE, 3), dtype=np.uint8)
    dropped, kept, held = [], [], []
    for i in range(n):
        _fill(buf, pool, i)
        t0 = time.perf_counter()
        np.copy(buf)
        dropped.append((time.perf_counter() - t0) * 1e3)
    for i in range(n):
        _fill(buf, pool, i)
        t0 = time.perf_counter()
        held.append(np.copy(buf))
        kept.append((time.perf_counter() - t0) * 1e3)
    del held
    if framework == "tidelog":
        import tidelog as mod

        run = mod.init(project="b2b", dir=str(base), id="b2b")
    else:
        import wandb as mod

        run = mod.init(project="b2b", dir=str(base), mode="offline", settings=mod.Settings(silent=True))
    run.log({"warmup": mod.Image(np.zeros((8, 8, 3), dtype=np.uint8))})  # first-use imports, key definitions
    time.sleep(0.5)
    calls = []
    t_start = time.perf_counter()
    for i in range(n):
        _fill(buf, pool, i)
        t0 = time.perf_counter()
        run.log({"img": mod.Image(buf)})
        calls.append((time.perf_counter() - t0) * 1e3)
    spilled = run._link.ring.spill_written if framework == "tidelog" else 0
    run.finish()
    return {
        "log": _stats(calls),
        "copy_dropped": _stats(dropped),
        "copy_kept": _stats(kept),
        "until_finish_s": time.perf_counter() - t_start,
        "spilled_mb": spilled / 2**20,
        "calls": calls,
    }


def _frames(n: int) -> list:
    """Media frames as the trainer lays them out: one image each."""
    import tidelog
    from tidelog.media import to_loggable
    from tidelog.records import pb
    from tidelog.transport.frames import TAG_MEDIA, layout_media, pending_json

    pool = _images()
    buf = np.empty((SIDE, SIDE, 3), dtype=np.uint8)
    frames = []
    for i in range(n):
        _fill(buf, pool, i)
        rec = pb.Record(history=pb.HistoryRow(step=i))
        item = rec.history.items.add()
        item.key, item.value.json = 1, pending_json(0)
        layout = layout_media(rec.SerializeToString(), [to_loggable("img", tidelog.Image(buf))])
        payload = np.zeros(layout.size, dtype=np.uint8)
        payload[: len(layout.head)] = np.frombuffer(layout.head, dtype=np.uint8)
        for off, arr in layout.arrays:
            payload[off : off + arr.nbytes] = arr.reshape(-1).view(np.uint8)
        frames.append((TAG_MEDIA, payload.tobytes()))
    return frames


def encode_rate(n: int, workers: list[int]) -> dict[int, dict]:
    """{workers: {"images_per_s", "files"}} for the sender's encoder pool over ``n`` images."""
    from tidelog.sender.encode_pool import MediaEncoder

    frames = _frames(n)
    out = {}
    for w in workers:
        with tempfile.TemporaryDirectory() as d:
            enc = MediaEncoder(Path(d), w)
            try:
                t0 = time.perf_counter()
                started = enc.start(frames)
                notices: list[str] = []
                for i in range(n):
                    enc.finish(*started[i], notices)
                took = time.perf_counter() - t0
            finally:
                enc.close()
            files = len(list((Path(d) / "media" / "images").glob("*.png")))
        out[w] = {"images_per_s": n / took, "files": files, "errors": len(notices)}
    return out


def wandb_encode_rate(n: int) -> float:
    """Images per second W&B encodes: ``wandb.Image(a)`` writes its PNG in the constructor."""
    import wandb

    pool = _images()
    buf = np.empty((SIDE, SIDE, 3), dtype=np.uint8)
    took = 0.0
    keep = []
    for i in range(n):
        _fill(buf, pool, i)
        t0 = time.perf_counter()
        keep.append(wandb.Image(buf))
        took += time.perf_counter() - t0
    return n / took


def _run_child(script: str, framework: str, tmp: Path, n: int) -> dict:
    import json
    import os
    import subprocess
    import sys

    base = tmp / f"b2b-{framework}"
    out = subprocess.run([sys.executable, script, "--_b2b-child", framework, str(base), str(n)],
                         capture_output=True, text=True, env={**os.environ, "WANDB_SILENT": "true"})
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_burst_figures(script: str, tmp: Path, n: int, use_wandb: bool) -> None:
    """The back-to-back burst (caller's cost per image) and the encode rates, side by side with W&B."""
    import os

    from bench_log import fmt_table

    from tidelog.sender.encode_pool import default_workers

    print(f"\nback-to-back burst: {n} distinct 1024x1024x3 images, one log({{\"img\": Image(buf)}}) right after "
          "the other (ms per image, caller side), fresh interpreter each")
    results = [("tidelog", _run_child(script, "tidelog", tmp, n))]
    if use_wandb:
        results.append(("W&B offline", _run_child(script, "wandb", tmp, n)))
    rows = []
    for name, r in results:
        if "error" in r:
            print(f"{name}: failed: {r['error']}")
            continue
        lg, cd, ck = r["log"], r["copy_dropped"], r["copy_kept"]
        rows.append([name, lg["median"], lg["p90"], lg["mean"], cd["median"], ck["median"],
                     lg["median"] / cd["median"], lg["mean"] / cd["median"], lg["median"] / ck["median"],
                     lg["mean"] / ck["median"], r["spilled_mb"] if name == "tidelog" else "n/a", r["until_finish_s"]])
    print(fmt_table(["", "log med", "log p90", "log mean", "np.copy dropped med", "np.copy kept med",
                     "med / dropped", "mean / dropped", "med / kept", "mean / kept", "spilled MB",
                     "until finish() s"], rows))
    if rows:
        print(f"target: tidelog <= 3x np.copy per image -> median {rows[0][6]:.1f}x np.copy dropped, "
              f"{rows[0][8]:.2f}x np.copy kept")
        if len(rows) == 2:
            print(f"W&B / tidelog caller cost per image (median): {rows[1][1] / rows[0][1]:.0f}x")
        for name, r in results:
            if "calls" in r:
                print(f"{name} per call ms: " + " ".join(f"{x:.2f}" for x in r["calls"]))

    cores = default_workers()
    workers = sorted({1, cores})
    print(f"\nencode rate: {n} distinct 1024x1024x3 images (PNG, zlib level 1), the sender's encoder pool "
          f"in this process; {cores} core(s) here, os.cpu_count()={os.cpu_count()}")
    rates = encode_rate(n, workers)
    erows = [[f"tidelog sender, {w} worker(s)", rates[w]["images_per_s"],
              rates[w]["images_per_s"] / rates[1]["images_per_s"], f"{rates[w]['files']}/{n}"] for w in workers]
    if use_wandb:
        wr = wandb_encode_rate(n)
        erows.append(["W&B Image() (encodes on the caller's thread)", wr, wr / rates[1]["images_per_s"], "n/a"])
    print(fmt_table(["", "images/s", "vs 1 worker", "files"], erows))
