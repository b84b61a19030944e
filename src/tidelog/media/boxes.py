"""Bounding boxes of an ``Image``: validated on the caller, stored inline in the history value.

``box_group(name, spec, size, what)`` validates ``{"box_data": [...],
"class_labels": {...}}``: each box has a ``position`` (``minX/maxX/minY/maxY``
or ``middle/width/height``), inside the image (``domain="pixel"``: in
pixels, else fractions 0..1), an int ``class_id``, an optional
``box_caption`` and ``scores``. Without ``class_labels`` the classes used are
named ``class_<id>``. Errors name the box (``boxes['gt'] box 3``).
W&B writes box groups to ``media/metadata/boxes2D/*.json`` files; they are
small, so tidelog keeps them in the row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tidelog.media.files import check_number
from tidelog.media.masks import class_id, class_labels

__all__ = ["box_group"]

_BOX_CORNERS = ("minX", "maxX", "minY", "maxY")
_BOX_CENTER = ("middle", "width", "height")
_DOMAINS = (None, "percentage", "pixel")


def _box_position(pos: Any, what: str) -> tuple[dict, tuple[float, float, float, float]]:
    """Validated position and its extent (minX, maxX, minY, maxY)."""
    if not isinstance(pos, dict):
        raise TypeError(f"{what}: needs a 'position' dict with minX/maxX/minY/maxY or middle/width/height")
    corners = [k for k in _BOX_CORNERS if k in pos]
    center = [k for k in _BOX_CENTER if k in pos]
    if len(corners) == 4:
        out = {k: check_number(pos[k], f"{what}: position[{k!r}]") for k in _BOX_CORNERS}
        if out["minX"] > out["maxX"] or out["minY"] > out["maxY"]:
            raise ValueError(f"{what}: position has minX > maxX or minY > maxY: {out}")
        return out, (out["minX"], out["maxX"], out["minY"], out["maxY"])
    if len(center) == 3:
        mid = pos["middle"]
        if not isinstance(mid, (list, tuple, np.ndarray)) or len(mid) != 2:
            raise ValueError(f"{what}: position['middle'] must be [x, y], got {mid!r}")
        mx, my = (check_number(v, f"{what}: position['middle']") for v in mid)
        w = check_number(pos["width"], f"{what}: position['width']")
        h = check_number(pos["height"], f"{what}: position['height']")
        if w < 0 or h < 0:
            raise ValueError(f"{what}: position width and height must be >= 0, got {w}, {h}")
        return {"middle": [mx, my], "width": w, "height": h}, (mx - w / 2, mx + w / 2, my - h / 2, my + h / 2)
    given = corners + center
    missing = [k for k in (_BOX_CORNERS if len(corners) >= len(center) else _BOX_CENTER) if k not in pos]
    if not given:
        raise ValueError(
            f"{what}: position has none of minX/maxX/minY/maxY or middle/width/height (got {sorted(pos)})"
        )
    raise ValueError(f"{what}: position is partial: has {given}, missing {missing}")


def _check_extent(extent, domain: str | None, size: tuple[int, int] | None, what: str) -> None:
    eps = 1e-6
    hi_x: float
    hi_y: float
    if domain == "pixel":
        if size is None:
            return
        hi_x, hi_y = size
    else:
        hi_x = hi_y = 1.0
    x0, x1, y0, y1 = extent
    if x0 < -eps or y0 < -eps or x1 > hi_x + eps or y1 > hi_y + eps:
        unit = f"{hi_x}x{hi_y} pixels" if domain == "pixel" else "0..1 (domain 'percentage')"
        raise ValueError(
            f"{what}: box spans x {x0:g}..{x1:g}, y {y0:g}..{y1:g}, outside the image ({unit})"
        )


def _box(box: Any, size: tuple[int, int] | None, what: str) -> dict:
    if not isinstance(box, dict):
        raise TypeError(f"{what}: each box must be a dict, got {type(box).__name__}")
    if "position" not in box:
        raise ValueError(f"{what}: has no 'position' (minX/maxX/minY/maxY or middle/width/height)")
    domain = box.get("domain")
    if domain not in _DOMAINS:
        raise ValueError(f"{what}: domain must be 'percentage' (the default) or 'pixel', got {domain!r}")
    position, extent = _box_position(box["position"], what)
    _check_extent(extent, domain, size, what)
    if "class_id" not in box:
        raise ValueError(f"{what}: has no 'class_id' (an int)")
    out: dict[str, Any] = {"position": position, "class_id": class_id(box["class_id"], what)}
    if domain is not None:
        out["domain"] = domain
    if box.get("box_caption") is not None:
        if not isinstance(box["box_caption"], str):
            raise TypeError(f"{what}: box_caption must be a string, got {type(box['box_caption']).__name__}")
        out["box_caption"] = box["box_caption"]
    if box.get("scores") is not None:
        out["scores"] = _scores(box["scores"], what)
    return out


def _scores(scores: Any, what: str) -> dict:
    if not isinstance(scores, dict):
        raise TypeError(f"{what}: scores must be a dict of str -> number")
    out = {}
    for k, v in scores.items():
        if not isinstance(k, str):
            raise TypeError(f"{what}: score names must be strings, got {k!r}")
        out[k] = check_number(v, f"{what}: scores[{k!r}]")
    return out


def box_group(name: str, spec: Any, size: tuple[int, int] | None, what: str) -> dict:
    where = f"{what}: boxes[{name!r}]"
    if not isinstance(spec, dict) or "box_data" not in spec:
        raise TypeError(f"{where} must be a dict with 'box_data' (a list of boxes) and 'class_labels'")
    data = spec["box_data"]
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"{where}: box_data must be a list of box dicts, got {type(data).__name__}")
    boxes = [_box(b, size, f"{where} box {i}") for i, b in enumerate(data)]
    labels = class_labels(spec.get("class_labels"), where)
    if labels is None:
        labels = {str(c): f"class_{c}" for c in sorted({b["class_id"] for b in boxes})}
    return {"box_data": boxes, "class_labels": labels}
