"""``tidelog.Image``: pictures, segmentation masks and bounding boxes.

Training side: ``Image(...)`` validates and takes a snapshot of the pixels
(and mask arrays), as W&B captures them when it encodes in the constructor:
mutating the array afterwards does not change what is logged. ``_prepare``
hands the snapshot to ``log()``; the sender encodes. What an ``Image`` accepts:

* numpy arrays ``(H, W)``, ``(H, W, 1|2|3|4)`` (singleton axes are squeezed, as
  W&B does): 2-D or one channel -> ``L``, 2 -> ``LA``, 3 -> ``RGB``,
  4 -> ``RGBA``. With ``normalize=True`` (the default) values are rescaled the
  way W&B 0.2x does, in the sender: data in ``[0, 1]`` is multiplied by 255 and
  truncated, data in ``[-1, 1]`` maps -1 -> 0 and 1 -> 255, anything else is
  clipped to ``[0, 255]``. This applies to every numeric dtype, as in W&B.
* torch tensors ``(C, H, W)`` or ``(H, W)`` (imported lazily, moved to the CPU).
* PIL images (converted to a uint8 array on the training side).
* matplotlib figures or ``pyplot`` (rendered to PNG when constructed: a figure
  can change after ``log()`` returns, and it cannot cross to the sender).
* paths to image files: png, jpg, jpeg, bmp, gif and webp files are stored as
  their own bytes and format; other formats Pillow reads are converted to PNG.
* another ``Image`` (its pixels, with new metadata).

``mode`` names how the channels of an array are read (a PIL mode): one of
``MODES``; its channel count must match the array's. Modes PNG cannot store
(``CMYK``, ``YCbCr``, ``HSV``, ``LAB``, ``RGBX``) are converted to ``RGB``.

``masks={name: {"mask_data": 2-D integer array 0..255, "class_labels": {int: str}}}``
(or ``{"path": mask.png, ...}``): each mask is its own PNG file
(``media/images/mask/<sha256>.mask.png``), as in W&B. ``boxes={name:
{"box_data": [...], "class_labels": {...}}}``: stored inline in the history
value. W&B writes box groups to ``media/metadata/boxes2D/*.json`` files in a
run; they are small, so tidelog keeps them in the row (W&B's artifact layout).

History value (W&B's ``image-file``)::

    {"_type": "image-file", "path": "media/images/<sha256>.png", "sha256": ...,
     "size": ..., "width": ..., "height": ..., "format": "png", "caption": ...,
     "grouping": ..., "classes": {"_type": "classes", "class_set": [...]},
     "masks": {name: {"_type": "mask", "path": ..., "sha256": ..., "size": ...,
                      "class_labels": {"1": "tree"}}},
     "boxes": {name: {"_type": "boxes2D", "box_data": [...], "class_labels": {...}}}}

A list of images under one key is ``tidelog.media.listing``'s job (W&B's
``images/separated`` value; more than 50 images in one step warns).

Errors raised while constructing cannot know the key the image will be logged
under; they name the argument (``masks['predictions']``, ``boxes['gt'] box 3``).
"""

from __future__ import annotations

import io
import numbers
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import (
    Media,
    Prepared,
    register_encoder,
)
from tidelog.media.files import (
    bytes_array,
    check_caption,
    check_number,
    is_path,
    read_path,
    snapshot,
    store_file,
    to_bytes,
)
from tidelog.media.tensors import tensor_to_numpy

__all__ = ["Image", "MODES", "FILE_TYPES", "KEPT_FORMATS"]

#: PIL modes an array may be read as, with the channel count each needs.
MODES = {
    "1": 1, "L": 1, "LA": 2, "RGB": 3, "YCbCr": 3, "HSV": 3, "LAB": 3,
    "RGBA": 4, "RGBX": 4, "CMYK": 4,
}
_MODE_BY_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
_PNG_MODES = {"1", "L", "LA", "RGB", "RGBA"}
#: Image files kept as their own bytes (extension -> format written in the value).
KEPT_FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpeg", "bmp": "bmp", "gif": "gif", "webp": "webp"}
#: ``file_type`` values for arrays / PIL images (as in W&B).
FILE_TYPES = ("png", "jpg", "jpeg", "bmp")
MAX_DIMENSION = 65500  # PIL's limit
_BOX_CORNERS = ("minX", "maxX", "minY", "maxY")
_BOX_CENTER = ("middle", "width", "height")
_DOMAINS = (None, "percentage", "pixel")


def _type_module(value: Any) -> str:
    return type(value).__module__ or ""


# --------------------------------------------------------------------------
# pixels


def _squeezed(arr: np.ndarray) -> np.ndarray:
    """Drop singleton axes (a view), keeping a trailing channel axis of ``(H, W, 1)`` out."""
    if arr.ndim > 2:
        arr = arr.squeeze()
    return arr


def _check_array(arr: np.ndarray, what: str) -> None:
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: image array has dtype {arr.dtype}; expected integers, floats or booleans")
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in _MODE_BY_CHANNELS):
        raise ValueError(
            f"{what}: image array has shape {tuple(arr.shape)}; expected (H, W) or (H, W, C) "
            f"with C in 1, 2, 3, 4 (transpose channel-first arrays to channel-last)"
        )
    height, width = arr.shape[:2]
    if not (0 < height <= MAX_DIMENSION and 0 < width <= MAX_DIMENSION):
        raise ValueError(f"{what}: image is {height}x{width}; each side must be 1..{MAX_DIMENSION} pixels")


def _array_mode(arr: np.ndarray, mode: str | None, what: str) -> str:
    channels = 1 if arr.ndim == 2 else arr.shape[-1]
    if mode is None:
        return _MODE_BY_CHANNELS[channels]
    if mode not in MODES:
        raise ValueError(f"{what}: unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if MODES[mode] != channels:
        raise ValueError(
            f"{what}: mode {mode!r} needs {MODES[mode]} channel(s) but the array "
            f"of shape {tuple(arr.shape)} has {channels}"
        )
    return mode


def _torch_to_numpy(tensor: Any, what: str) -> np.ndarray:
    """A (C, H, W) or (H, W) tensor as an (H, W, C) / (H, W) numpy view."""
    arr = tensor_to_numpy(tensor)
    if arr.ndim == 3 and arr.shape[0] in _MODE_BY_CHANNELS:
        return arr.transpose(1, 2, 0)
    if arr.ndim == 3 and arr.shape[0] not in _MODE_BY_CHANNELS:
        raise ValueError(
            f"{what}: tensor has shape {tuple(arr.shape)}; expected (C, H, W) with C in 1, 2, 3, 4, or (H, W)"
        )
    return arr


def _pil_to_array(img: Any) -> tuple[np.ndarray, str]:
    """A PIL image as a uint8 array and the mode it is stored as."""
    mode = img.mode
    if mode in ("P", "PA"):
        img = img.convert("RGBA" if (mode == "PA" or "transparency" in img.info) else "RGB")
    elif mode == "1" or mode.startswith(("I", "F")):
        img = img.convert("L")
    elif mode not in _PNG_MODES:
        img = img.convert("RGB")
    return np.asarray(img), img.mode


def _figure_png(value: Any, what: str) -> bytes:
    """A matplotlib figure, Axes or ``pyplot`` (its current figure) rendered to PNG now."""
    from tidelog.media.figures import figure_of, figure_png

    fig = figure_of(value)
    if fig is None:
        raise TypeError(f"{what}: cannot read a {type(value).__name__} as an image; pass a matplotlib Figure or Axes")
    return figure_png(fig)


def _rescale(arr: np.ndarray) -> np.ndarray:
    """W&B's ``_guess_and_rescale_to_0_255`` (sender side)."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
    lo, hi = arr.min(), arr.max()
    if 0 <= lo and hi <= 1:
        return (arr * 255).astype(np.uint8)
    if -1 <= lo and hi <= 1:
        return (255 * 0.5 * (arr + 1)).astype(np.uint8)
    return arr.clip(0, 255).astype(np.uint8)


def _uint8(arr: np.ndarray, normalize: bool) -> np.ndarray:
    arr = np.asarray(arr)
    if normalize:
        return _rescale(arr)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr, nan=0.0)
    return arr.clip(0, 255).astype(np.uint8) if arr.dtype != np.uint8 else arr


def _pil_from_array(arr: np.ndarray, mode: str):
    from PIL import Image as PILImage

    arr = np.ascontiguousarray(arr)
    if mode == "1":
        return PILImage.fromarray(arr).convert("1")
    if mode in ("L", "LA", "RGB", "RGBA"):
        return PILImage.fromarray(arr)
    img = PILImage.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())
    return img.convert("RGB")


def _encode_pixels(img, fmt: str) -> bytes:
    """PIL image -> file bytes in ``fmt`` (png, jpg/jpeg, bmp)."""
    if fmt in ("jpg", "jpeg") and img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    pil_format = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "bmp": "BMP"}[fmt]
    # zlib level 1: several times faster than Pillow's default 6 and within a
    # few percent of its size on photographs; the sender encodes bursts of
    # images on the trainer's machine, so speed wins.
    options = {"compress_level": 1} if pil_format == "PNG" else {}
    img.save(buf, format=pil_format, **options)
    return buf.getvalue()


# --------------------------------------------------------------------------
# class labels, masks, boxes


def _class_id(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{what}: class id {value!r} must be an int, got {type(value).__name__}")
    return int(value)


def _class_labels(labels: Any, what: str) -> dict[str, str] | None:
    """Validated ``{int: str}`` as a JSON object ``{"<int>": str}`` (or None)."""
    if labels is None:
        return None
    if not isinstance(labels, dict):
        raise TypeError(f"{what}: class_labels must be a dict of int -> str, got {type(labels).__name__}")
    out = {}
    for cid, name in labels.items():
        cid = _class_id(cid, f"{what}: class_labels")
        if not isinstance(name, str):
            raise TypeError(f"{what}: class_labels[{cid}] must be a string, got {type(name).__name__}")
        out[str(cid)] = name
    return out


def _classes(classes: Any, what: str) -> list[dict] | None:
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
        out.append({"id": _class_id(entry["id"], f"{what}: classes[{i}]"), "name": entry["name"]})
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


def _image_size_of_file(data: bytes, what: str) -> tuple[int, int, str]:
    """(width, height, PIL format) from an encoded image's header."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            return img.width, img.height, img.format or ""
    except UnidentifiedImageError:
        raise ValueError(f"{what}: the file is not an image Pillow can read") from None


def _mask_entry(name: str, spec: Any, size: tuple[int, int] | None, what: str) -> tuple[dict, Any]:
    """One named mask -> (meta, array or file bytes)."""
    where = f"{what}: masks[{name!r}]"
    if not isinstance(spec, dict):
        raise TypeError(f"{where} must be a dict with 'mask_data' (or 'path') and 'class_labels'")
    labels = _class_labels(spec.get("class_labels"), where)
    if "mask_data" in spec:
        arr = _mask_array(spec["mask_data"], where)
        shape = arr.shape
        meta = {"name": name, "class_labels": labels, "source": "array"}
        payload = snapshot(arr, fresh=isinstance(spec["mask_data"], (list, tuple)))
    elif "path" in spec:
        data = read_path(spec["path"], where)
        width, height, _ = _image_size_of_file(data, where)
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
    out: dict[str, Any] = {"position": position, "class_id": _class_id(box["class_id"], what)}
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


def _box_group(name: str, spec: Any, size: tuple[int, int] | None, what: str) -> dict:
    where = f"{what}: boxes[{name!r}]"
    if not isinstance(spec, dict) or "box_data" not in spec:
        raise TypeError(f"{where} must be a dict with 'box_data' (a list of boxes) and 'class_labels'")
    data = spec["box_data"]
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"{where}: box_data must be a list of box dicts, got {type(data).__name__}")
    boxes = [_box(b, size, f"{where} box {i}") for i, b in enumerate(data)]
    labels = _class_labels(spec.get("class_labels"), where)
    if labels is None:
        labels = {str(c): f"class_{c}" for c in sorted({b["class_id"] for b in boxes})}
    return {"box_data": boxes, "class_labels": labels}


# --------------------------------------------------------------------------
# the data type


class Image(Media):
    """An image to log, with optional masks and bounding boxes (see module docstring)."""

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: dict | None = None,
        masks: dict | None = None,
        file_type: str | None = None,
        normalize: bool = True,
    ) -> None:
        what = "tidelog.Image"
        self._caption = check_caption(caption, what)
        if grouping is not None and (isinstance(grouping, bool) or not isinstance(grouping, numbers.Integral)):
            raise TypeError(f"{what}: grouping must be an int, got {type(grouping).__name__}")
        self._grouping = None if grouping is None else int(grouping)
        self._classes = _classes(classes, what)
        self._init_pixels(data_or_path, mode, file_type, normalize, what)
        self._init_masks(masks, what)
        self._init_boxes(boxes, what)

    # -- pixels

    def _init_pixels(self, data: Any, mode: str | None, file_type: str | None, normalize: bool, what: str) -> None:
        if file_type is not None and file_type not in FILE_TYPES:
            raise ValueError(f"{what}: file_type must be one of {', '.join(FILE_TYPES)}, got {file_type!r}")
        self._normalize = bool(normalize)
        self._mode: str | None = None
        if type(data) is np.ndarray:  # the common case first: log() of an array is a hot path
            self._from_array(data, mode, file_type or "png", what)
        elif isinstance(data, Image):
            self._copy_pixels(data)
        elif is_path(data):
            self._from_file(read_path(data, what), Path(data).suffix.lower().lstrip("."), what)
        elif _type_module(data).startswith("matplotlib") or getattr(data, "__name__", "") == "matplotlib.pyplot":
            self._from_file(_figure_png(data, what), "png", what)
        elif _type_module(data).startswith("PIL."):
            arr, self._mode = _pil_to_array(data)
            self._normalize = False  # a PIL image's pixels are taken as they are
            self._from_array(arr, self._mode, file_type or "png", what, fresh=True)
        elif _type_module(data).startswith("torch"):
            self._from_array(_torch_to_numpy(data, what), mode, file_type or "png", what)
        else:
            arr = self._as_array(data, what)
            self._from_array(arr, mode, file_type or "png", what, fresh=isinstance(data, (list, tuple)))

    @staticmethod
    def _as_array(data: Any, what: str) -> np.ndarray:
        if isinstance(data, np.ndarray):
            return data
        tensor = tensor_to_numpy(data)  # TensorFlow / JAX tensors
        if tensor is not None:
            return tensor
        if isinstance(data, (list, tuple)):
            return np.asarray(data)
        raise TypeError(
            f"{what}: expected a numpy array, a torch tensor, a PIL image, a matplotlib figure "
            f"or a path to an image file; got {type(data).__name__}"
        )

    def _from_array(self, arr: np.ndarray, mode: str | None, fmt: str, what: str, fresh: bool = False) -> None:
        arr = _squeezed(arr)
        _check_array(arr, what)
        self._mode = _array_mode(arr, mode, what)
        self._source, self._payload, self._format = "array", snapshot(arr, fresh), fmt
        self._height, self._width = int(arr.shape[0]), int(arr.shape[1])

    def _from_file(self, data: bytes, ext: str, what: str) -> None:
        width, height, pil_format = _image_size_of_file(data, what)
        if ext not in KEPT_FORMATS:
            from PIL import Image as PILImage

            arr, mode = _pil_to_array(PILImage.open(io.BytesIO(data)))
            self._normalize = False
            self._from_array(arr, mode, "png", what, fresh=True)
            return
        self._source, self._payload, self._format = "file", bytes_array(data), KEPT_FORMATS[ext]
        self._width, self._height = width, height

    def _copy_pixels(self, other: Image) -> None:
        for attr in ("_source", "_payload", "_format", "_width", "_height", "_mode", "_normalize"):
            setattr(self, attr, getattr(other, attr))

    # -- overlays

    @property
    def _size(self) -> tuple[int, int]:
        return self._width, self._height

    def _init_masks(self, masks: Any, what: str) -> None:
        self._masks: list[tuple[dict, Any]] = []
        if masks is None:
            return
        if not isinstance(masks, dict):
            raise TypeError(f"{what}: masks must be a dict of name -> {{'mask_data': ..., 'class_labels': ...}}")
        for name, spec in masks.items():
            self._masks.append(_mask_entry(str(name), spec, self._size, what))

    def _init_boxes(self, boxes: Any, what: str) -> None:
        self._boxes: dict[str, dict] = {}
        if boxes is None:
            return
        if not isinstance(boxes, dict):
            raise TypeError(f"{what}: boxes must be a dict of name -> {{'box_data': [...], 'class_labels': ...}}")
        for name, spec in boxes.items():
            self._boxes[str(name)] = _box_group(str(name), spec, self._size, what)

    # -- the contract

    @property
    def width(self) -> int:
        return self._width

    @property
    def height(self) -> int:
        return self._height

    def _prepare(self, key: str) -> Prepared:
        meta = {
            "source": self._source,
            "mode": self._mode,
            "normalize": self._normalize,
            "format": self._format,
            "width": self._width,
            "height": self._height,
            "caption": self._caption,
            "grouping": self._grouping,
            "classes": self._classes,
            "masks": [m for m, _ in self._masks],
            "boxes": self._boxes,
        }
        return Prepared("image", meta, [self._payload] + [a for _, a in self._masks])


# --------------------------------------------------------------------------
# sender side


def _image_bytes(meta: dict, payload: Any) -> bytes:
    if meta["source"] == "file":
        return to_bytes(payload)
    arr = _uint8(payload, meta["normalize"])
    return _encode_pixels(_pil_from_array(arr, meta["mode"]), meta["format"])


def _mask_value(meta: dict, payload: Any, run_dir: Path) -> dict:
    labels = meta["class_labels"]
    if meta["source"] == "file":
        data = to_bytes(payload)
    else:
        arr = np.asarray(payload).astype(np.uint8)
        if labels is None:
            labels = {str(int(c)): f"class_{int(c)}" for c in np.unique(arr)}
        data = _encode_pixels(_pil_from_array(arr, "L"), "png")
    value = {"_type": "mask", **store_file(run_dir, "images/mask", data, "mask.png")}
    value["class_labels"] = labels or {}
    return value


@register_encoder("image")
def encode_image(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the image (and its masks); return the ``image-file`` value."""
    value: dict[str, Any] = {"_type": "image-file"}
    value.update(store_file(run_dir, "images", _image_bytes(meta, arrays[0]), meta["format"]))
    value.update(format=meta["format"], width=meta["width"], height=meta["height"])
    for name in ("caption", "grouping"):
        if meta.get(name):
            value[name] = meta[name]
    if meta.get("classes"):
        value["classes"] = {"_type": "classes", "class_set": meta["classes"]}
    if meta.get("masks"):
        value["masks"] = {
            m["name"]: _mask_value(m, a, run_dir) for m, a in zip(meta["masks"], arrays[1:])
        }
    if meta.get("boxes"):
        value["boxes"] = {name: {"_type": "boxes2D", **group} for name, group in meta["boxes"].items()}
    return value
