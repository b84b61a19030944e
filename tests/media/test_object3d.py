"""tidelog.Object3D: model files, point clouds and lidar scenes; bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from _helpers import raises, send, stored

from tidelog.media.object3d import SUPPORTED_TYPES, Object3D

DATA = Path(__file__).parent / "data"
RNG = np.random.default_rng(3)

#: The reference page's own example (colours above 255 included).
SEED_SCENE = {
    "type": "lidar/beta",
    "points": np.array([[0.4, 1, 1.3], [1, 1, 1], [1.2, 1, 1.2]]),
    "boxes": np.array(
        [
            {"corners": [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]],
             "label": "Box", "color": [123, 321, 111]},
            {"corners": [[0, 0, 0], [0, 2, 0], [0, 0, 2], [2, 0, 0], [2, 2, 0], [0, 2, 2], [2, 0, 2], [2, 2, 2]],
             "label": "Box-2", "color": [111, 321, 0]},
        ]
    ),
    "vectors": [{"start": [0, 0, 0], "end": [0.1, 0.2, 0.5]}],
}


def encode(obj, run_dir: Path, key: str = "point_scene") -> dict:
    """Training side, the real transport framing, then the sender's encoder."""
    return send(obj._prepare(key), run_dir)


@pytest.mark.parametrize("width", [3, 4, 6])
def test_point_cloud_json(tmp_path, width):
    points = RNG.uniform(-5, 5, size=(50, width))
    if width == 4:
        points[:, 3] = RNG.integers(1, 15, size=50)
    if width == 6:
        points[:, 3:] = RNG.integers(0, 256, size=(50, 3))
    value = encode(Object3D(points, caption="cloud"), tmp_path)
    assert value["_type"] == "object3D-file"
    assert value["path"] == f"media/object3D/{value['sha256']}.pts.json"
    assert value["caption"] == "cloud"
    assert json.loads(stored(tmp_path, value)) == points.tolist()


def test_integer_points_stay_integers(tmp_path):
    points = np.array([[1, 2, 3, 255, 0, 10]], dtype=np.int32)
    assert json.loads(stored(tmp_path, encode(Object3D(points), tmp_path))) == [[1, 2, 3, 255, 0, 10]]


def test_constructor_snapshots_once_and_prepare_hands_it_over():
    points = RNG.random((10, 3))
    obj = Object3D(points)
    arr = obj._prepare("k").arrays[0]
    assert not np.shares_memory(arr, points) and obj._prepare("k").arrays[0] is arr


def test_seed_lidar_scene(tmp_path):
    value = encode(Object3D(SEED_SCENE), tmp_path)
    assert value["path"].endswith(".pts.json")
    scene = json.loads(stored(tmp_path, value))
    assert list(scene) == ["boxes", "points", "type", "vectors"]  # keys sorted, as W&B writes them
    assert scene["type"] == "lidar/beta"
    assert scene["points"] == SEED_SCENE["points"].tolist()
    assert [b["label"] for b in scene["boxes"]] == ["Box", "Box-2"]
    assert scene["boxes"][0]["color"] == [123, 321, 111]  # accepted as W&B does
    assert scene["boxes"][1]["corners"] == SEED_SCENE["boxes"][1]["corners"]
    assert scene["vectors"] == [{"start": [0, 0, 0], "end": [0.1, 0.2, 0.5]}]


def test_scene_with_scores_and_from_point_cloud(tmp_path):
    box = {"corners": SEED_SCENE["boxes"][0]["corners"], "color": [1, 2, 3], "score": 0.9}
    value = encode(Object3D.from_point_cloud(points=[[0, 0, 0, 5]], boxes=[box]), tmp_path)
    scene = json.loads(stored(tmp_path, value))
    assert scene["boxes"] == [{"corners": box["corners"], "color": [1, 2, 3], "score": 0.9}]
    assert scene["points"] == [[0, 0, 0, 5]] and scene["vectors"] == []


@pytest.mark.parametrize("name", ["cube.obj", "triangle.gltf", "triangle.glb"])
def test_model_files_kept_as_is(tmp_path, name):
    path = DATA / name
    value = encode(Object3D(str(path)), tmp_path)
    assert value["path"].endswith("." + name.split(".")[-1])
    assert stored(tmp_path, value) == path.read_bytes()


def test_open_files_as_in_the_seed(tmp_path):
    """``Object3D(open("sample.glb"))``: the file is read from its name, in binary."""
    for name in ("cube.obj", "triangle.gltf", "triangle.glb"):
        with open(DATA / name) as f:
            value = encode(Object3D(f), tmp_path)
        assert stored(tmp_path, value) == (DATA / name).read_bytes()


def test_stream_with_file_type(tmp_path):
    value = encode(Object3D(io.StringIO((DATA / "cube.obj").read_text()), file_type="obj"), tmp_path)
    assert value["path"].endswith(".obj") and stored(tmp_path, value) == (DATA / "cube.obj").read_bytes()
    assert encode(Object3D.from_file(io.BytesIO(b"solid x"), file_type="stl"), tmp_path)["path"].endswith(".stl")


def test_same_points_same_file(tmp_path):
    points = RNG.random((5, 3))
    assert encode(Object3D(points), tmp_path)["path"] == encode(Object3D.from_numpy(points.copy()), tmp_path)["path"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("shape", [(10, 5), (10,), (2, 3, 3), (4, 2)])
def test_wrong_point_shapes(shape):
    with raises(ValueError, "tidelog.Object3D", f"shape {shape}", "(n, 3)"):
        Object3D(np.zeros(shape))


def test_nan_points():
    points = np.zeros((3, 3))
    points[1, 1] = np.nan
    with raises(ValueError, "NaN"):
        Object3D(points)


def test_wrong_scene_type():
    with raises(ValueError, "'lidar/alpha'", "lidar/beta"):
        Object3D({**SEED_SCENE, "type": "lidar/alpha"})
    with raises(ValueError, "None"):
        Object3D({"points": SEED_SCENE["points"]})


def test_box_without_8_corners():
    box = {"corners": [[0, 0, 0]] * 7, "label": "x", "color": [1, 2, 3]}
    with raises(ValueError, "box 0", "8", "got 7 corners"):
        Object3D({"type": "lidar/beta", "points": np.zeros((1, 3)), "boxes": [box]})
    with raises(ValueError, "box 0", "no corners"):
        Object3D({"type": "lidar/beta", "boxes": [{"color": [1, 2, 3]}]})
    with raises(ValueError, "box 0: corner 2", "3 numbers"):
        Object3D({"type": "lidar/beta", "boxes": [{"corners": [[0, 0, 0]] * 2 + [[0, 0]] + [[0, 0, 0]] * 5, "color": [1, 2, 3]}]})


def test_box_color_and_label():
    corners = SEED_SCENE["boxes"][0]["corners"]
    with raises(ValueError, "box 0", "color"):
        Object3D({"type": "lidar/beta", "boxes": [{"corners": corners}]})
    with raises(ValueError, "color must be 3 numbers"):
        Object3D({"type": "lidar/beta", "boxes": [{"corners": corners, "color": [1, 2]}]})
    with raises(TypeError, "label must be a string"):
        Object3D({"type": "lidar/beta", "boxes": [{"corners": corners, "color": [1, 2, 3], "label": 5}]})


def test_bad_vectors_and_points_in_scene():
    with raises(ValueError, "vector 0", "'start' and 'end'"):
        Object3D({"type": "lidar/beta", "vectors": [{"start": [0, 0, 0]}]})
    with raises(ValueError, "points", "(10, 2)"):
        Object3D({"type": "lidar/beta", "points": np.zeros((10, 2))})


def test_unsupported_files_and_inputs(tmp_path):
    path = tmp_path / "model.fbx"
    path.write_bytes(b"x")
    with raises(ValueError, "model.fbx", ", ".join(SUPPORTED_TYPES)):
        Object3D(str(path))
    with raises(ValueError, "pass file_type="):
        Object3D(io.StringIO("v 0 0 0"))
    with raises(TypeError, "expected a numpy point cloud"):
        Object3D([[0, 0, 0]])
