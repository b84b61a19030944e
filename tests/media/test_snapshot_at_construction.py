"""Values are captured when a data type is constructed, as W&B does.

W&B encodes (or bins) a value in its constructor, so ``buf[:] = k;
imgs.append(Image(buf))`` three times keeps three images, and ``h =
Histogram(a); a[:] = 0; log({"h": h})`` logs the original values. Each test
builds a value from the caller's array, mutates the array *before* ``log()``,
and reads back what the real pipeline stored (sender, WAL, ``tidelog.Api``):
it must equal the same type built from an untouched copy (same file, same
sha256; content addressing makes equal bytes one file).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import tidelog
from tidelog.api import lifecycle

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("TIDELOG_DIR", "WANDB_DIR", "TIDELOG_MODE", "WANDB_MODE", "TIDELOG_RING_MB"):
        monkeypatch.delenv(name, raising=False)
    yield
    current = lifecycle.current()
    if current is not None:
        current.finish()


def _logged(tmp_path: Path, values: dict) -> tuple[Path, dict]:
    """Log ``values`` as one row of a fresh run; the run dir and the row read back."""
    run = tidelog.init(project="snap", dir=str(tmp_path))
    run.log(values)
    run_dir = Path(run.dir)
    run.finish()
    rows = list(tidelog.Api(dir=str(tmp_path)).run(f"snap/{run.id}").scan_history())
    assert len(rows) == 1
    return run_dir, rows[0]


def _pixels(run_dir: Path, path: str) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO((run_dir / path).read_bytes())))


def _same_file(row: dict, key: str = "v", ref: str = "ref") -> None:
    assert row[key]["_type"] == row[ref]["_type"]
    assert row[key]["sha256"] == row[ref]["sha256"], f"{key} stored the values after the mutation"


def test_image_buffer_reused_three_times_keeps_three_images(tmp_path) -> None:
    buf = np.zeros((32, 48, 3), dtype=np.uint8)
    imgs = []
    for k in range(3):
        buf[:] = 40 * (k + 1)
        imgs.append(tidelog.Image(buf))
    buf[:] = 255
    run_dir, row = _logged(tmp_path, {"imgs": imgs})
    assert row["imgs"]["_type"] == "images/separated" and row["imgs"]["count"] == 3
    names = row["imgs"]["filenames"]
    assert len(set(names)) == 3
    for k, name in enumerate(names):
        assert (_pixels(run_dir, name) == 40 * (k + 1)).all()


def test_image_and_its_mask_mutated_before_log(tmp_path) -> None:
    arr = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    mask = np.zeros((64, 64), dtype=np.uint8)
    mask[:32] = 1
    labels = {0: "bg", 1: "top"}
    ref = tidelog.Image(arr.copy(), masks={"m": {"mask_data": mask.copy(), "class_labels": labels}})
    v = tidelog.Image(arr, masks={"m": {"mask_data": mask, "class_labels": labels}})
    expected = arr.copy()
    arr[:] = 0
    mask[:] = 1
    run_dir, row = _logged(tmp_path, {"v": v, "ref": ref})
    _same_file(row)
    assert (_pixels(run_dir, row["v"]["path"]) == expected).all()
    assert row["v"]["masks"]["m"]["sha256"] == row["ref"]["masks"]["m"]["sha256"]


def test_float_image_of_a_channel_first_view(tmp_path) -> None:
    """A non-contiguous view (a transpose) is captured too, not just contiguous buffers."""
    chw = np.random.default_rng(1).random((3, 16, 24)).astype(np.float32)
    view = chw.transpose(1, 2, 0)
    ref = tidelog.Image(view.copy())
    v = tidelog.Image(view)
    chw[:] = 0.0
    _, row = _logged(tmp_path, {"v": v, "ref": ref})
    _same_file(row)


def test_histogram_bins_the_values_it_was_built_from(tmp_path) -> None:
    a = np.random.default_rng(2).normal(size=10_000)
    counts, edges = np.histogram(a, bins=64)
    h = tidelog.Histogram(a)
    a[:] = 0
    _, row = _logged(tmp_path, {"h": h})
    assert row["h"]["values"] == counts.tolist()
    assert np.array_equal(row["h"]["bins"], edges)
    assert h.histogram == counts.tolist()  # the attribute reads the snapshot too


def test_audio_samples_mutated_before_log(tmp_path) -> None:
    t = np.arange(8_000) / 8_000
    arr = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    ref = tidelog.Audio(arr.copy(), sample_rate=8_000)
    v = tidelog.Audio(arr, sample_rate=8_000)
    arr[:] = 0.0
    _, row = _logged(tmp_path, {"v": v, "ref": ref})
    _same_file(row)


def test_video_frames_mutated_before_log(tmp_path) -> None:
    frames = np.zeros((4, 3, 16, 16), dtype=np.uint8)
    for i in range(4):
        frames[i, i % 3] = 255
    ref = tidelog.Video(frames.copy(), fps=4, format="gif")
    v = tidelog.Video(frames, fps=4, format="gif")
    frames[:] = 0
    _, row = _logged(tmp_path, {"v": v, "ref": ref})
    _same_file(row)


def test_point_cloud_and_lidar_scene_mutated_before_log(tmp_path) -> None:
    pts = np.random.default_rng(3).normal(size=(500, 3))
    expected = pts.tolist()
    box = {"corners": [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
           "label": "car", "color": [255, 0, 0]}
    ref_scene = tidelog.Object3D({"type": "lidar/beta", "points": pts.copy(), "boxes": [box]})
    v = tidelog.Object3D(pts)
    scene = tidelog.Object3D({"type": "lidar/beta", "points": pts, "boxes": [box]})
    pts[:] = 0.0
    box["corners"][0][0] = 9  # the box list is the caller's too
    run_dir, row = _logged(tmp_path, {"v": v, "scene": scene, "ref_scene": ref_scene})
    assert json.loads((run_dir / row["v"]["path"]).read_bytes()) == expected
    _same_file(row, "scene", "ref_scene")


def test_table_rows_mutated_before_log(tmp_path) -> None:
    rows = [[1, 0.5, "a"], [2, 1.5, "b"]]
    grid = np.arange(6, dtype=np.float64).reshape(2, 3)
    ref = tidelog.Table(columns=["i", "x", "s"], data=[r[:] for r in rows])
    v = tidelog.Table(columns=["i", "x", "s"], data=rows)
    g = tidelog.Table(columns=["a", "b", "c"], data=grid)
    rows[0][1] = 99.0
    rows.append([3, 2.5, "c"])
    grid[:] = -1
    run_dir, row = _logged(tmp_path, {"v": v, "ref": ref, "g": g})
    _same_file(row)
    assert json.loads((run_dir / row["g"]["path"]).read_bytes())["data"] == [[0, 1, 2], [3, 4, 5]]


def test_pr_curve_inputs_mutated_before_log(tmp_path) -> None:
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 2, 200)
    y_probas = rng.random((200, 2))
    ref = tidelog.plot.pr_curve(y_true.copy(), y_probas.copy())
    v = tidelog.plot.pr_curve(y_true, y_probas)
    y_probas[:] = 0.5
    y_true[:] = 1
    _, row = _logged(tmp_path, {"v": v, "ref": ref})
    _same_file(row)


def test_snapshot_is_read_only_and_not_copied_again_by_a_second_image(tmp_path) -> None:
    """``Image(image)`` shares the first image's snapshot (it cannot change)."""
    buf = np.ones((8, 8, 3), dtype=np.uint8)
    a = tidelog.Image(buf)
    b = tidelog.Image(a, caption="again")
    assert b._payload is a._payload and not a._payload.flags.writeable
    assert not np.shares_memory(a._payload, buf)
