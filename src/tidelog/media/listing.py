"""Lists of media under one key.

``log({"examples": [tidelog.Image(a), tidelog.Image(b)]})``:

* every item must be the same data type (else ``TypeError`` naming the key
  and the first odd item);
* a type whose list has a value of its own says so in ``Media._prepare_list``
  (``Audio``: W&B's ``audio`` value and 100-clips limit, in ``tidelog.media.audio``);
* more than 50 images in one step is a ``TidelogWarning`` (the seed's
  recommendation), not a refusal.

Training side, kind ``"list"``: ``meta = {"items": [{"kind", "meta", "n"}, ...]}``
where ``n`` is how many of the flat ``arrays`` belong to that item, in order.

Sender side, the value is W&B's shape for images (``Image.seq_to_json``)::

    {"_type": "images/separated", "width": w, "height": h, "format": "png",
     "count": n, "filenames": [path, ...], "captions": [...],      # if any caption
     "all_masks": [...], "all_boxes": [...]}                        # if any item has them

(width/height/format of the first image, as W&B), and for any other type::

    {"_type": "<kind>/list", "count": n, "items": [<each item's value>, ...]}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidelog._warn import warn
from tidelog.media.base import Media, Prepared, encode, pack_items, register_encoder, unpack_items

__all__ = ["prepare_list", "IMAGES_PER_STEP_WARN"]

#: More images than this under one key in one step draws a warning.
IMAGES_PER_STEP_WARN = 50


def _check_same_type(key: str, items: Sequence[Any]) -> type[Any]:
    first = type(items[0])
    for i, item in enumerate(items):
        if not isinstance(item, Media):
            raise TypeError(
                f"tidelog.log: key {key!r}: item {i} of the list is {type(item).__name__}, "
                f"not a tidelog data type like item 0 ({first.__name__})"
            )
        if type(item) is not first:
            raise TypeError(
                f"tidelog.log: key {key!r}: a list of media must hold one type; item 0 is "
                f"{first.__name__} but item {i} is {type(item).__name__}"
            )
    return first


def prepare_list(key: str, items: Sequence[Any]) -> Prepared:
    """Training side: a list/tuple of one media type under ``key``."""
    if not items:
        raise ValueError(f"tidelog.log: key {key!r}: empty list of media")
    cls = _check_same_type(key, items)
    own = cls._prepare_list(key, list(items))  # a type whose list has a value of its own (Audio)
    if own is not None:
        return own
    if cls.__name__ == "Image" and len(items) > IMAGES_PER_STEP_WARN:
        warn(f"tidelog.log: key {key!r}: {len(items)} images in one step; "
             f"at most {IMAGES_PER_STEP_WARN} per step is recommended")
    metas, arrays = pack_items([item._prepare(key) for item in items])
    return Prepared("list", {"type": cls.__name__, "items": metas}, arrays)


def _images_separated(values: list[dict]) -> dict:
    first = values[0]
    out: dict[str, Any] = {
        "_type": "images/separated",
        "width": first.get("width"),
        "height": first.get("height"),
        "format": first.get("format"),
        "count": len(values),
        "filenames": [v["path"] for v in values],
    }
    captions = [v.get("caption") for v in values]
    if any(c is not None for c in captions):
        out["captions"] = [c if c is not None else "" for c in captions]
    for src, dest in (("masks", "all_masks"), ("boxes", "all_boxes")):
        groups = [v.get(src) for v in values]
        if any(g is not None for g in groups):
            out[dest] = groups
    return out


@register_encoder("list")
def encode_list(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: encode every item, then W&B's list shape (see module docstring)."""
    values = [encode(k, m, a, run_dir) for k, m, a in unpack_items(meta["items"], arrays)]
    if all(v.get("_type") == "image-file" and "path" in v for v in values):
        return _images_separated(values)
    kind = meta["items"][0]["kind"]
    return {"_type": f"{kind}/list", "count": len(values), "items": values}
