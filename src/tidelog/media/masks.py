"""Class labels and segmentation masks of an ``Image``: validated on the caller, written as PNG by the sender.

``class_labels`` / ``check_classes`` validate W&B's ``{int: str}`` labels and
``classes=[{"id", "name"}]`` (boxes use them too). ``mask_entry`` validates one
named mask (``mask_data``: a 2-D integer array of class ids 0..255, or
``path``: an image file) against the image's size and snapshots it;
``mask_value`` writes it as ``media/images/mask/<sha256>.mask.png``, as W&B,
returning ``{"_type": "mask", "path", "sha256", "size", "class_labels"}``.
Errors name the argument (``masks['predictions']``).
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.files import bytes_array, read_path, snapshot, store_file, to_bytes
from tidelog.media.pixels import encode_pixels, image_size_of_file, pil_from_array

__all__ = ["class_id", "class_labels", "check_classes", "mask_entry", "mask_value"]


def class_id(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{what}: class id {value!r} must be an int, got {type(value).__name__}")
    return int(value)


def class_labels(labels: Any, what: str) -> dict[str, str] | None:
    """Validated ``{int: str}`` as a JSON object ``{"<int>": str}`` (or None)."""
    if labels is None:
        return None
    if not isinstance(labels, dict):
        raise TypeError(f"{what}: class_labels must be a dict of int -> str, got {type(labels).__name__}")
    out = {}
    for cid, name in labels.items():
        cid = class_id(cid, f"{what}: class_labels")
        if not isinstance(name, str):
            raise TypeError(f"{what}: class_labels[{cid}] must be a string, got {type(name).__name__}")
        out[str(cid)] = name
    return out


def check_classes(classes: Any, what: str) -> list[dict] | None:
    """``classes=[{"id": int, "name": str}, ...]`` (W&B's Classes' class_set)."""
    if classes is None:
        return None
    if hasattr(classes, "_class_set"):
        classes = classes._class_set
    if not isinstance(classes, (list, tuple)):
        raise TypeError(f"{what}: classes must be a list of {{'id': int, 'name': str}} dicts")
    out = []
    for i, entry in enumerate(classes):
        if not isinstance(entry, dict) or "id" not in entry or not isinstance(entry.get("name"), str):
            raise TypeError(f"{what}: classes[{i}] must be a dict with an int 'id' and a str 'name'")
        out.append({"id": class_id(entry["id"], f"{what}: classes[{i}]"), "name": entry["name"]})
    return out


def _mask_array(data: Any, what: str) -> np.ndarray:
    arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    if arr.ndim != 2:
        raise TypeError(f"{what}: mask_data must be a 2-D integer array, got shape {tuple(arr.shape)}")
    if arr.dtype.kind not in "biu":
        raise TypeError(f"{what}: mask_data must hold integer class ids, got dtype {arr.dtype}")
    if arr.dtype not in (np.uint8, np.bool_) and arr.size and (arr.min() < 0 or arr.max() > 255):
        raise ValueError(
            f"{what}: mask_data values must be class ids 0..255, got {int(arr.min())}..{int(arr.max())}"
        )
    return arr


def mask_entry(name: str, spec: Any, size: tuple[int, int] | None, what: str) -> tuple[dict, Any]:
    """One named mask -> (meta, array or file bytes)."""
    where = f"{what}: masks[{name!r}]"
    if not isinstance(spec, dict):
        raise TypeError(f"{where} must be a dict with 'mask_data' (or 'path') and 'class_labels'")
    labels = class_labels(spec.get("class_labels"), where)
    if "mask_data" in spec:
        arr = _mask_array(spec["mask_data"], where)
        shape = arr.shape
        meta = {"name": name, "class_labels": labels, "source": "array"}
        payload = snapshot(arr, fresh=isinstance(spec["mask_data"], (list, tuple)))
    elif "path" in spec:
        data = read_path(spec["path"], where)
        width, height, _ = image_size_of_file(data, where)
        shape = (height, width)
        meta = {"name": name, "class_labels": labels, "source": "file"}
        payload = bytes_array(data)
    else:
        raise TypeError(f"{where} needs 'mask_data' (a 2-D integer array) or 'path'")
    if size is not None and tuple(shape) != (size[1], size[0]):
        raise ValueError(
            f"{where}: mask has shape {tuple(shape)} but the image is {(size[1], size[0])} (height, width)"
        )
    return meta, payload


def mask_value(meta: dict, payload: Any, run_dir: Path) -> dict:
    labels = meta["class_labels"]
    if meta["source"] == "file":
        data = to_bytes(payload)
    else:
        arr = np.asarray(payload).astype(np.uint8)
        if labels is None:
            labels = {str(int(c)): f"class_{int(c)}" for c in np.unique(arr)}
        data = encode_pixels(pil_from_array(arr, "L"), "png")
    value = {"_type": "mask", **store_file(run_dir, "images/mask", data, "mask.png")}
    value["class_labels"] = labels or {}
    return value
