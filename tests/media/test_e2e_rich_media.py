"""End to end: images, audio, video, HTML, molecules and 3-D objects logged in a run, read back via tidelog.Api.

Written the way a W&B script is (``import tidelog as wandb``). Skipped until
the pipeline (``tidelog.init`` / ``tidelog.Api``) exists.
"""

from __future__ import annotations

import hashlib
import io
import json
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import tidelog as wandb

pytestmark = [
    pytest.mark.skipif(
        not (hasattr(wandb, "init") and hasattr(wandb, "Api")),
        reason="tidelog.init / tidelog.Api not built yet",
    ),
    pytest.mark.timeout(60),  # a pipeline hang fails fast instead of after the suite's 300 s
]

DATA = Path(__file__).parent / "data"
RNG = np.random.default_rng(7)


def _file(run, value: dict) -> bytes:
    path = Path(run.dir) / value["path"]
    assert path.is_file(), path
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == value["sha256"] and len(data) == value["size"]
    return data


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(data)))


def _rows(tmp_path: Path, run_id: str) -> tuple[object, list[dict]]:
    r = wandb.Api(dir=str(tmp_path)).run(f"demo/{run_id}")
    return r, list(r.scan_history())


def test_images_with_masks_and_boxes(tmp_path):
    img = RNG.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    original = img.copy()
    mask = RNG.integers(0, 3, size=(32, 32), dtype=np.uint8)
    box = {"position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4}, "class_id": 2, "box_caption": "car"}
    run = wandb.init(project="demo", dir=str(tmp_path), mode="offline")
    wandb.log({
        "driving_scene": wandb.Image(
            img, caption="scene",
            masks={"predictions": {"mask_data": mask, "class_labels": {1: "tree", 2: "car"}}},
            boxes={"predictions": {"box_data": [box], "class_labels": {2: "car"}}},
        ),
        "examples": [wandb.Image(img[..., i], caption=f"channel {i}") for i in range(3)],
    })
    img[:] = 0  # log() has returned: the value logged is the one it was given
    run_id = run.id
    run.finish()

    r, rows = _rows(tmp_path, run_id)
    scene = rows[0]["driving_scene"]
    assert scene["_type"] == "image-file" and scene["caption"] == "scene"
    assert np.array_equal(_pixels(_file(r, scene)), original)
    assert np.array_equal(_pixels(_file(r, scene["masks"]["predictions"])), mask)
    assert scene["masks"]["predictions"]["class_labels"] == {"1": "tree", "2": "car"}
    assert scene["boxes"]["predictions"]["box_data"][0]["position"] == box["position"]
    examples = rows[0]["examples"]
    assert examples["_type"] == "images/separated" and examples["count"] == 3
    assert examples["captions"] == ["channel 0", "channel 1", "channel 2"]
    for i, path in enumerate(examples["filenames"]):
        assert np.array_equal(_pixels((Path(r.dir) / path).read_bytes()), original[..., i])


def test_audio_video_html_molecule_object3d(tmp_path):
    wave_data = np.sin(np.linspace(0, 100, 3200)) * 0.5
    frames = RNG.integers(0, 256, size=(5, 3, 8, 8), dtype=np.uint8)
    points = RNG.uniform(size=(20, 3))
    run = wandb.init(project="demo", dir=str(tmp_path), mode="offline")
    with open(DATA / "water.pdb") as pdb, open(DATA / "cube.obj") as obj:
        wandb.log({
            "clip": wandb.Audio(wave_data, sample_rate=16000, caption="Nice"),
            "clips": [wandb.Audio(wave_data, sample_rate=8000) for _ in range(3)],
            "video": wandb.Video(frames, fps=4, format="gif"),
            "custom_string": wandb.Html('<a href="https://mysite">Link</a>'),
            "protein": wandb.Molecule(pdb),
            "point_cloud": wandb.Object3D(points),
            "model": wandb.Object3D(obj),
        })
    run_id = run.id
    run.finish()

    r, rows = _rows(tmp_path, run_id)
    row = rows[0]
    with wave.open(io.BytesIO(_file(r, row["clip"])), "rb") as w:
        assert (w.getframerate(), w.getnframes(), w.getsampwidth()) == (16000, 3200, 2)
    assert row["clip"]["caption"] == "Nice"
    assert row["clips"]["_type"] == "audio" and row["clips"]["sampleRates"] == [8000] * 3
    gif = PILImage.open(io.BytesIO(_file(r, row["video"])))
    assert gif.n_frames == 5 and gif.info["duration"] == 250
    html = _file(r, row["custom_string"]).decode()
    assert "<style" in html and html.count("http") == 1
    assert _file(r, row["protein"]) == (DATA / "water.pdb").read_bytes()
    assert json.loads(_file(r, row["point_cloud"])) == points.tolist()
    assert _file(r, row["model"]) == (DATA / "cube.obj").read_bytes()


def test_bad_media_fails_loudly_and_keeps_what_was_logged(tmp_path):
    run = wandb.init(project="demo", dir=str(tmp_path), mode="offline")
    wandb.log({"ok": wandb.Image(np.zeros((4, 4), dtype=np.uint8))})
    with pytest.raises(ValueError, match=r"masks\['predictions'\].*\(10, 12\).*\(32, 32\)"):
        wandb.log({"examples": wandb.Image(
            np.zeros((32, 32, 3), dtype=np.uint8),
            masks={"predictions": {"mask_data": np.zeros((10, 12), dtype=np.uint8)}},
        )})
    run_id = run.id
    run.finish()
    _, rows = _rows(tmp_path, run_id)
    assert rows and rows[0]["ok"]["_type"] == "image-file"
