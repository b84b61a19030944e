"""``log()`` snapshots arrays, and a burst of images larger than the ring all lands.

(a) Snapshot: an array mutated right after ``log()`` returns is stored as it
was when logged, for ``Image`` (pixels read back from the PNG the history
value names), ``Audio`` (WAV samples), a ``Histogram`` of an array (counts
and edges) and a point cloud. Each runs twice: with the default ring (the
array is copied into shared memory) and with a ring smaller than the array
(``TIDELOG_RING_MB=1``: the frame goes to the spill file).

(b) Burst: a child training process with ``TIDELOG_RING_MB=4`` logs 20 steps
of 50 distinct 256x256x3 images (about 196 MB in all, each step about 10 MB,
more than the ring), reusing its 50 buffers every step. Half the steps log
one dict of 50 images (a frame larger than the ring: spilled), half log each
image with ``commit=False`` (small frames that fill the ring and overflow
into the spill file). Every image lands: one file per distinct image, every
row holds its 50 values with the right sha256 and the right pixels. The
child's RSS, sampled after every step, grows far less than the bytes logged.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import tidelog
from tidelog.api import lifecycle
from tidelog.testing import spilled_bytes

pytestmark = pytest.mark.timeout(120)

RING_SIZES = {"ring": None, "spill": "1"}


@pytest.fixture(params=sorted(RING_SIZES))
def ring_env(request, monkeypatch):
    """Runs with the default ring, then with a 1 MB ring the test's arrays do not fit in."""
    for name in ("TIDELOG_DIR", "WANDB_DIR", "TIDELOG_MODE", "WANDB_MODE", "TIDELOG_RING_MB"):
        monkeypatch.delenv(name, raising=False)
    if RING_SIZES[request.param]:
        monkeypatch.setenv("TIDELOG_RING_MB", RING_SIZES[request.param])
    yield request.param
    current = lifecycle.current()
    if current is not None:
        current.finish()


def _read(run_dir: str, value: dict) -> bytes:
    data = (Path(run_dir) / value["path"]).read_bytes()
    assert len(data) == value["size"] and hashlib.sha256(data).hexdigest() == value["sha256"]
    return data


def _log_then_mutate(tmp_path: Path, value_of, arr: np.ndarray, mutate, ring_env: str) -> tuple[str, dict]:
    """Log ``{"v": value_of(arr)}``, mutate ``arr`` at once, finish; the run dir and the stored value.

    Checks the frame took the path ``ring_env`` names: bytes went to the spill
    file (the ring's spill counter moved) only when the array did not fit in
    the ring.
    """
    run = tidelog.init(project="snap", dir=str(tmp_path))
    tidelog.log({"v": value_of(arr)})
    mutate(arr)
    assert (spilled_bytes(run) > 0) == (ring_env == "spill")
    run_dir = run.dir
    run.finish()
    rows = list(tidelog.Api(dir=str(tmp_path)).run(f"snap/{run.id}").scan_history())
    assert len(rows) == 1
    return run_dir, rows[0]["v"]


def test_image_is_stored_as_logged(tmp_path, ring_env) -> None:
    arr = np.random.default_rng(1).integers(0, 256, (768, 768, 3), dtype=np.uint8)  # 1.7 MB
    original = arr.copy()
    run_dir, value = _log_then_mutate(tmp_path, tidelog.Image, arr, lambda a: a.fill(0), ring_env)
    assert value["_type"] == "image-file"
    pixels = np.asarray(PILImage.open(io.BytesIO(_read(run_dir, value))))
    assert np.array_equal(pixels, original)


def test_audio_is_stored_as_logged(tmp_path, ring_env) -> None:
    t = np.arange(44_100 * 8) / 44_100  # 8 s of float32: 1.4 MB
    arr = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    expected = np.round(np.clip(arr.astype(np.float64), -1, 1) * 32767).astype(np.int16)
    run_dir, value = _log_then_mutate(
        tmp_path, lambda a: tidelog.Audio(a, sample_rate=44_100), arr, lambda a: a.fill(1.0), ring_env)
    assert value["_type"] == "audio-file"
    with wave.open(io.BytesIO(_read(run_dir, value)), "rb") as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (44_100, 2, 1)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.array_equal(samples, expected)


def test_histogram_of_an_array_is_stored_as_logged(tmp_path, ring_env) -> None:
    arr = np.random.default_rng(2).normal(size=300_000)  # 2.4 MB of float64
    counts, edges = np.histogram(arr, bins=64)
    run_dir, value = _log_then_mutate(tmp_path, tidelog.Histogram, arr, lambda a: a.fill(7.0), ring_env)
    assert value["_type"] == "histogram"
    assert value["values"] == counts.tolist()
    assert np.allclose(value["bins"], edges, rtol=0, atol=0)


def test_point_cloud_is_stored_as_logged(tmp_path, ring_env) -> None:
    arr = np.random.default_rng(3).normal(size=(60_000, 3))  # 1.4 MB
    original = arr.copy()
    run_dir, value = _log_then_mutate(tmp_path, tidelog.Object3D, arr, lambda a: a.fill(0.0), ring_env)
    assert value["_type"] == "object3D-file"
    assert json.loads(_read(run_dir, value)) == original.tolist()


# --------------------------------------------------------------------------
# (b) the burst, in a child process with a 4 MB ring

STEPS, PER_STEP, SIDE = 20, 50, 256

_CHILD = r"""
import os, sys, threading, time
import numpy as np
import psutil
import tidelog

STEPS, PER_STEP, SIDE = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
proc = psutil.Process()
pool = np.random.default_rng(0).integers(0, 256, (8, SIDE, SIDE, 3), dtype=np.uint8)
bufs = [np.empty((SIDE, SIDE, 3), dtype=np.uint8) for _ in range(PER_STEP)]

def fill(buf, step, i):
    buf[:] = pool[(step * PER_STEP + i) % len(pool)]
    buf[0, 0] = (step, i, 7)  # every image distinct

run = tidelog.init(project="burst", dir=sys.argv[1], id="burst")
tidelog.log({"warmup": 0.0})
for i, b in enumerate(bufs):
    fill(b, 0, i)  # touch the buffers before the baseline
rss0 = proc.memory_info().rss
peak = [rss0]
stop = threading.Event()

def sample():
    while not stop.wait(0.005):
        peak[0] = max(peak[0], proc.memory_info().rss)

threading.Thread(target=sample, daemon=True).start()
for step in range(STEPS):
    for i, b in enumerate(bufs):
        fill(b, step, i)  # the buffers logged last step are overwritten: log() took its copy
    if step % 2 == 0:
        tidelog.log({f"img_{i:02d}": tidelog.Image(b) for i, b in enumerate(bufs)} | {"burst_step": step})
    else:
        for i, b in enumerate(bufs):
            tidelog.log({f"img_{i:02d}": tidelog.Image(b)}, commit=False)
        tidelog.log({"burst_step": step})
    peak[0] = max(peak[0], proc.memory_info().rss)
stop.set()
from tidelog.testing import spilled_bytes
spilled = spilled_bytes(run)  # bytes that ever went through the spill file
tidelog.finish()
print("rss", rss0, peak[0], proc.memory_info().rss, "spilled", spilled, "dir", run.dir, flush=True)
"""


def _expected_image(pool: np.ndarray, step: int, i: int) -> np.ndarray:
    img = pool[(step * PER_STEP + i) % len(pool)].copy()
    img[0, 0] = (step, i, 7)
    return img


@pytest.mark.timeout(180)
def test_burst_larger_than_the_ring_all_lands_with_bounded_rss(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    env.update(TIDELOG_RING_MB="4", TIDELOG_STATS_INTERVAL="0", PYTHONUNBUFFERED="1")
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), str(STEPS), str(PER_STEP), str(SIDE)],
                          capture_output=True, text=True, env=env, timeout=170)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.split()
    rss0, peak = int(out[out.index("rss") + 1]), int(out[out.index("rss") + 2])
    spilled = int(out[out.index("spilled") + 1])
    run_dir = Path(out[out.index("dir") + 1])

    logged = STEPS * PER_STEP * SIDE * SIDE * 3
    assert spilled > 4 * 2**20, "the burst should have overflowed the 4 MB ring into the spill file"

    run = tidelog.Api(dir=str(tmp_path)).run("burst/burst")
    assert run.state == "finished"
    rows = [r for r in run.scan_history() if "burst_step" in r]
    assert [r["burst_step"] for r in rows] == list(range(STEPS))
    pool = np.random.default_rng(0).integers(0, 256, (8, SIDE, SIDE, 3), dtype=np.uint8)
    digests = set()
    for row in rows:
        step = row["burst_step"]
        for i in range(PER_STEP):
            value = row[f"img_{i:02d}"]
            assert value["_type"] == "image-file", (step, i, value)
            data = (run_dir / value["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == value["sha256"] and len(data) == value["size"]
            assert value["path"] == f"media/images/{value['sha256']}.png"
            pixels = np.asarray(PILImage.open(io.BytesIO(data)))
            assert np.array_equal(pixels, _expected_image(pool, step, i)), (step, i)
            digests.add(value["sha256"])
    assert len(digests) == STEPS * PER_STEP  # every image distinct...
    files = [p for p in (run_dir / "media" / "images").iterdir() if p.suffix == ".png"]
    assert len(files) == STEPS * PER_STEP  # ...and one file each, no strays

    growth = peak - rss0
    assert growth < logged / 8, f"trainer RSS grew {growth / 2**20:.1f} MB for {logged / 2**20:.0f} MB logged"


def test_more_than_50_images_in_one_step_warns_once_across_keys(tmp_path: Path) -> None:
    """W&B recommends at most 50 images per step: 60 under separate keys of one step warn once."""
    import warnings as _warnings

    run = tidelog.init(project="many", dir=str(tmp_path))
    img = np.zeros((8, 8, 3), np.uint8)
    with _warnings.catch_warnings():
        _warnings.simplefilter("error")
        run.log({f"a{i}": tidelog.Image(img) for i in range(30)}, commit=False)
        with pytest.warns(tidelog.TidelogWarning, match=r"60 images logged at step 0; at most 50"):
            run.log({f"b{i}": tidelog.Image(img) for i in range(30)}, commit=False)
        run.log({f"c{i}": tidelog.Image(img) for i in range(5)})  # same step, already warned
        run.log({f"a{i}": tidelog.Image(img) for i in range(40)})  # a new step: 40, under the limit
    run.finish()
    rows = list(tidelog.Api(dir=str(tmp_path)).run(f"many/{run.id}").scan_history())
    assert len(rows) == 2 and len([k for k in rows[0] if not k.startswith("_")]) == 65
