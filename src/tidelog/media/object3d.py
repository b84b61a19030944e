"""``tidelog.Object3D``: 3-D models, point clouds and lidar scenes.

``Object3D(data_or_path_or_file, caption=None, file_type=None)``:

* a path (or open file) of a model in one of ``SUPPORTED_TYPES`` (obj, gltf,
  glb, babylon, stl, pts.json), stored as its own bytes and extension. A
  stream without a name on disk needs ``file_type=``.
* a numpy point cloud, shape ``(n, 3)`` (x y z), ``(n, 4)`` (x y z category,
  categories 1..14) or ``(n, 6)`` (x y z r g b, colours 0..255). Stored as
  W&B's ``.pts.json``: the array as a JSON list of rows. Category and colour
  ranges are not checked, as in W&B. NaN / Inf coordinates are refused.
* a scene ``{"type": "lidar/beta", "points": (n, 3|4|6), "boxes": [{"corners":
  8 x [x, y, z], "label": str, "color": [r, g, b], "score": number}, ...],
  "vectors": [{"start": [x, y, z], "end": [x, y, z]}, ...]}``, stored as W&B's
  JSON object ``{"boxes": [...], "points": [...], "type": "lidar/beta",
  "vectors": [...]}`` (keys sorted). Colours are not range-checked: W&B
  accepts the reference page's own ``[123, 321, 111]``, and so does tidelog.

The JSON is written by the sender, compact (W&B indents it; the structure is
the same). History value (W&B's ``object3D-file``)::

    {"_type": "object3D-file", "path": "media/object3D/<sha256>.pts.json",
     "sha256": ..., "size": ..., "caption": ...}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media import files
from tidelog.media.base import Media, Prepared, register_encoder

__all__ = ["Object3D", "SUPPORTED_TYPES", "SUPPORTED_POINT_CLOUD_TYPES"]

SUPPORTED_TYPES = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")
SUPPORTED_POINT_CLOUD_TYPES = ("lidar/beta",)
_POINT_WIDTHS = (3, 4, 6)
_POINTS_HELP = "(n, 3) [x y z], (n, 4) [x y z category] or (n, 6) [x y z r g b]"


def _file_type(name: str, what: str) -> str:
    lower = name.lower()
    for ext in SUPPORTED_TYPES:
        if lower.endswith("." + ext) or lower == ext:
            return ext
    raise ValueError(f"{what}: {name!r} is not a supported 3-D file; supported types are: {', '.join(SUPPORTED_TYPES)}")


def _points(data: Any, what: str) -> np.ndarray:
    """Validated points, as they are now (a snapshot: mutating ``data`` later changes nothing)."""
    arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    if arr.ndim != 2 or arr.shape[1] not in _POINT_WIDTHS:
        raise ValueError(f"{what}: points have shape {tuple(arr.shape)}; expected {_POINTS_HELP}")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{what}: points must be numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{what}: points contain NaN or Inf")
    return files.snapshot(arr, fresh=isinstance(data, (list, tuple)))


def _vec(value: Any, n: int, what: str) -> list:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise ValueError(f"{what} must be {n} numbers, got {value!r}")
    return [files.check_number(v, what) for v in value]


def _box(box: Any, what: str) -> dict:
    if not isinstance(box, dict):
        raise TypeError(f"{what}: must be a dict with 'corners', 'label' and 'color'")
    corners = box.get("corners")
    if isinstance(corners, np.ndarray):
        corners = corners.tolist()
    if not isinstance(corners, (list, tuple)) or len(corners) != 8:
        n = len(corners) if isinstance(corners, (list, tuple)) else "no"
        raise ValueError(f"{what}: needs 'corners', a list of 8 [x, y, z] points; got {n} corners")
    out: dict[str, Any] = {"corners": [_vec(c, 3, f"{what}: corner {i}") for i, c in enumerate(corners)]}
    if "color" not in box:
        raise ValueError(f"{what}: needs 'color', [r, g, b]")
    out["color"] = _vec(box["color"], 3, f"{what}: color")
    if box.get("label") is not None:
        if not isinstance(box["label"], str):
            raise TypeError(f"{what}: label must be a string, got {type(box['label']).__name__}")
        out["label"] = box["label"]
    if box.get("score") is not None:
        out["score"] = files.check_number(box["score"], f"{what}: score")
    return out


def _vector(vec: Any, what: str) -> dict:
    if not isinstance(vec, dict) or "start" not in vec or "end" not in vec:
        raise ValueError(f"{what}: must be a dict with 'start' and 'end', each [x, y, z]")
    return {"start": _vec(vec["start"], 3, f"{what}: start"), "end": _vec(vec["end"], 3, f"{what}: end")}


def _sequence(value: Any, name: str, what: str) -> list:
    if value is None:
        return []
    if isinstance(value, np.ndarray):
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{what}: {name} must be a list, got {type(value).__name__}")
    return list(value)


class Object3D(Media):
    """A 3-D object to log (see module docstring)."""

    SUPPORTED_TYPES = SUPPORTED_TYPES
    SUPPORTED_POINT_CLOUD_TYPES = SUPPORTED_POINT_CLOUD_TYPES

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None, **_: Any) -> None:
        what = "tidelog.Object3D"
        self._caption = files.check_caption(caption, what)
        path = files.file_path(data_or_path)
        if path is not None:
            self._from_file(_file_type(os.fspath(path), what), files.read_path(path, what))
        elif hasattr(data_or_path, "read"):
            self._from_stream(data_or_path, file_type, what)
        elif isinstance(data_or_path, dict):
            self._from_scene(data_or_path, what)
        elif isinstance(data_or_path, np.ndarray):
            self._kind, self._meta, self._arrays = "points", dict[str, Any](), [_points(data_or_path, what)]
        else:
            raise TypeError(
                f"{what}: expected a numpy point cloud, a lidar/beta dict, a path or an open file; "
                f"got {type(data_or_path).__name__}"
            )

    def _from_file(self, ext: str, data: bytes) -> None:
        self._kind, self._meta, self._arrays = "file", {"ext": ext}, [files.bytes_array(data)]

    def _from_stream(self, stream: Any, file_type: str | None, what: str) -> None:
        if file_type is None:
            raise ValueError(f"{what}: pass file_type= (one of {', '.join(SUPPORTED_TYPES)}) with a stream")
        self._from_file(_file_type(file_type, what), files.read_stream(stream, what))

    def _from_scene(self, scene: dict, what: str) -> None:
        kind = scene.get("type")
        if kind not in SUPPORTED_POINT_CLOUD_TYPES:
            raise ValueError(f"{what}: scene type {kind!r} is not supported; the only type is 'lidar/beta'")
        points = scene.get("points")
        arr = _points(points, f"{what}: points") if points is not None else np.zeros((0, 3))
        boxes = [_box(b, f"{what}: box {i}") for i, b in enumerate(_sequence(scene.get("boxes"), "boxes", what))]
        vectors = [_vector(v, f"{what}: vector {i}")
                   for i, v in enumerate(_sequence(scene.get("vectors"), "vectors", what))]
        self._kind = "scene"
        self._meta = {"type": kind, "boxes": boxes, "vectors": vectors}
        self._arrays = [arr]

    @classmethod
    def from_numpy(cls, data: np.ndarray) -> Object3D:
        """A point cloud (see module docstring)."""
        if not isinstance(data, np.ndarray):
            raise TypeError(f"tidelog.Object3D.from_numpy: expected a numpy array, got {type(data).__name__}")
        return cls(data)

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        """A 3-D model file or stream."""
        return cls(data_or_path, file_type=file_type)

    @classmethod
    def from_point_cloud(cls, points: Any, boxes: Any, vectors: Any = None,
                         point_cloud_type: str = "lidar/beta") -> Object3D:
        """A lidar scene from its parts."""
        return cls({"type": point_cloud_type, "points": np.asarray(points), "boxes": boxes, "vectors": vectors or []})

    def _prepare(self, key: str) -> Prepared:
        meta = {"kind": self._kind, "caption": self._caption, **self._meta}
        return Prepared("object3d", meta, list(self._arrays))


# --------------------------------------------------------------------------
# sender side


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False).encode("utf-8")


@register_encoder("object3d")
def encode_object3d(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the model or the points JSON; return the ``object3D-file`` value."""
    kind = meta["kind"]
    if kind == "file":
        data, ext = files.to_bytes(arrays[0]), meta["ext"]
    elif kind == "points":
        data, ext = _json_bytes(np.asarray(arrays[0]).tolist()), "pts.json"
    else:
        scene = {"type": meta["type"], "points": np.asarray(arrays[0]).tolist(),
                 "boxes": meta["boxes"], "vectors": meta["vectors"]}
        data, ext = _json_bytes(scene), "pts.json"
    value = {"_type": "object3D-file", **files.store_file(run_dir, "object3D", data, ext)}
    if meta.get("caption"):
        value["caption"] = meta["caption"]
    return value
