"""The sender encodes media on every core while it is behind, and the WAL stays in order.

(a) ``MediaEncoder`` (``tidelog.sender.encode_pool``) with several workers
runs encoders at the same time, and gives exactly what one worker gives:
the same values, the same files (encoders are pure; results are taken in
frame order).

(b) A burst through the real pipeline: a child training process with a 1 MB
ring logs 30 distinct 512x512x3 images back to back, one per step, so most
frames go through the spill file and the sender's batches hold several
images for its encoder threads. Every image lands in its own row, rows in
step order, each value's file matches its sha256 and holds the pixels
logged at that step.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import tidelog
from tidelog.media import to_loggable
from tidelog.records import pb
from tidelog.sender import encode_pool
from tidelog.sender.builder import RecordBuilder
from tidelog.sender.encode_pool import MediaEncoder, batch_bytes, default_workers
from tidelog.transport.fastpath import encode_record
from tidelog.transport.frames import TAG_MEDIA, layout_media, pending_json

pytestmark = pytest.mark.timeout(120)


def _image(i: int, side: int = 128) -> np.ndarray:
    img = np.random.default_rng(i).integers(0, 256, (side, side, 3), dtype=np.uint8)
    img[0, 0] = (i, 0, 7)
    return img


def _frame(i: int) -> tuple[int, bytes]:
    """A TAG_MEDIA payload: a history row whose one value is image ``i``, as the trainer frames it (frame i + 1)."""
    rec = pb.Record(history=pb.HistoryRow(step=i))
    item = rec.history.items.add()
    item.key = 1
    item.value.json = pending_json(0)
    layout = layout_media(encode_record(rec, i + 1), [to_loggable("img", tidelog.Image(_image(i)))])
    buf = bytearray(layout.size)
    buf[: len(layout.head)] = layout.head
    for off, arr in layout.arrays:
        buf[off : off + arr.nbytes] = arr.tobytes()
    return TAG_MEDIA, bytes(buf)


def _encode_all(run_dir: Path, workers: int, frames: list) -> list[str]:
    enc = MediaEncoder(run_dir, workers)
    try:
        started = enc.start(frames)
        notices: list[str] = []
        out = [enc.finish(*started[i], notices).history.items[0].value.json for i in range(len(frames))]
        assert notices == []
        return out
    finally:
        enc.close()


def test_workers_run_at_once_and_give_what_one_worker_gives(tmp_path, monkeypatch) -> None:
    frames = [_frame(i) for i in range(12)]
    running, peak, lock = [0], [0], threading.Lock()
    real = encode_pool._encode

    def counting(*args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(encode_pool, "_encode", counting)
    many = _encode_all(tmp_path / "many", 4, frames)
    assert peak[0] >= 2, "several workers never encoded at the same time"
    one = _encode_all(tmp_path / "one", 1, frames)
    assert many == one  # same values, in frame order
    names = sorted(p.name for p in (tmp_path / "many" / "media" / "images").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "one" / "media" / "images").iterdir())
    assert len(names) == 12


def test_frames_already_in_the_wal_are_not_encoded_again(tmp_path) -> None:
    """A restarted sender re-reads frames its predecessor wrote: it skips them without encoding them
    (an encoder still reading a frame after the batch is acknowledged would read reused ring memory)."""
    builder = RecordBuilder(tmp_path, next_seq=1, last_frame=3)  # frames 1..3 are in the WAL
    try:
        out = [pb.Record.FromString(r) for r in builder.build([_frame(i) for i in range(5)])]
    finally:
        builder.close()
    assert [r.history.step for r in out if r.HasField("history")] == [3, 4]
    assert out[-1].mark.frame == 5
    assert len(list((tmp_path / "media" / "images").iterdir())) == 2  # frames 4 and 5 only


def test_pool_size_and_batch_size() -> None:
    assert default_workers() >= 1
    assert MediaEncoder(Path("."), None).workers == default_workers()
    assert batch_bytes(1, 8 << 20) == 8 << 20  # never less than the plain batch
    assert batch_bytes(4, 8 << 20) == 32 << 20  # about two 1024x1024x3 images per worker
    assert batch_bytes(64, 8 << 20) == 128 << 20  # bounded: spill batches are read into memory


_CHILD = r"""
import sys
import numpy as np
import tidelog

n, side = int(sys.argv[2]), int(sys.argv[3])
buf = np.empty((side, side, 3), dtype=np.uint8)
run = tidelog.init(project="burst", dir=sys.argv[1], id="par")
for i in range(n):
    buf[:] = np.random.default_rng(i).integers(0, 256, (side, side, 3), dtype=np.uint8)
    buf[0, 0] = (i, 0, 7)
    tidelog.log({"img": tidelog.Image(buf), "i": i})
from tidelog.testing import spilled_bytes
spilled = spilled_bytes(run)
tidelog.finish()
print("spilled", spilled, "dir", run.dir, flush=True)
"""


def test_burst_lands_every_image_in_order_with_its_sha256(tmp_path) -> None:
    n, side = 30, 512
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDELOG_", "WANDB_"))}
    env.update(TIDELOG_RING_MB="1", TIDELOG_STATS_INTERVAL="0")
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), str(n), str(side)],
                          capture_output=True, text=True, env=env, timeout=110)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.split()
    assert int(out[out.index("spilled") + 1]) > 0, "the burst should have gone through the spill file"
    run_dir = Path(out[out.index("dir") + 1])

    rows = list(tidelog.Api(dir=str(tmp_path)).run("burst/par").scan_history())
    assert [r["i"] for r in rows] == list(range(n))
    assert [r["_step"] for r in rows] == list(range(n))
    for r in rows:
        value = r["img"]
        data = (run_dir / value["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == value["sha256"] and len(data) == value["size"]
        expected = np.random.default_rng(r["i"]).integers(0, 256, (side, side, 3), dtype=np.uint8)
        expected[0, 0] = (r["i"], 0, 7)
        assert np.array_equal(np.asarray(PILImage.open(io.BytesIO(data))), expected), r["i"]
    assert len(list((run_dir / "media" / "images").glob("*.png"))) == n
