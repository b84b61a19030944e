"""Lists of media under one key, and nesting media inside other values (tables).

``log({"examples": [tidelog.Image(a), tidelog.Image(b)]})``:

* every item must be the same data type (else ``TypeError`` naming the key
  and the first odd item);
* a list of ``Audio`` is handed to ``tidelog.media.audio.prepare_audio_list``
  (W&B's 100-clips limit lives there);
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

from pathlib import Path
from typing import Any, Iterator, Sequence

from tidelog._warn import warn
from tidelog.media.base import _ENCODERS, Media, Prepared, encode, register_encoder

__all__ = [
    "prepare_list",
    "pack_items",
    "unpack_items",
    "encode_item",
    "IMAGES_PER_STEP_WARN",
]

#: More images than this under one key in one step draws a warning.
IMAGES_PER_STEP_WARN = 50


def pack_items(preps: Sequence[Prepared | None]) -> tuple[list[dict | None], list]:
    """Flatten nested ``Prepared`` values: per-item ``{"kind", "meta", "n"}`` and one array list."""
    metas: list[dict | None] = []
    arrays: list = []
    for prep in preps:
        if prep is None:
            metas.append(None)
            continue
        metas.append({"kind": prep.kind, "meta": prep.meta, "n": len(prep.arrays)})
        arrays.extend(prep.arrays)
    return metas, arrays


def unpack_items(metas: Sequence[dict | None], arrays: Sequence, start: int = 0) -> Iterator[tuple | None]:
    """Inverse of ``pack_items``: ``(kind, meta, arrays)`` per item (``None`` stays ``None``)."""
    pos = start
    for item in metas:
        if item is None:
            yield None
            continue
        n = int(item["n"])
        yield item["kind"], item["meta"], list(arrays[pos : pos + n])
        pos += n


def encode_item(kind: str, meta: dict, arrays: list, run_dir: Path) -> dict:
    """Encode one nested value with its registered encoder (loading every encoder if needed)."""
    fn = _ENCODERS.get(kind)
    if fn is None:
        return encode(kind, meta, arrays, run_dir)
    return fn(meta, arrays, Path(run_dir))


def _check_same_type(key: str, items: Sequence[Any]) -> type:
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
    if cls.__name__ == "Audio":
        from tidelog.media.audio import prepare_audio_list

        return prepare_audio_list(key, list(items))
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
    values = [encode_item(k, m, a, run_dir) for k, m, a in unpack_items(meta["items"], arrays)]
    if all(v.get("_type") == "image-file" and "path" in v for v in values):
        return _images_separated(values)
    kind = meta["items"][0]["kind"]
    return {"_type": f"{kind}/list", "count": len(values), "items": values}
