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

The parts live in their own modules: ``pixels`` (reading and writing pixels),
``masks`` (class labels and masks), ``boxes`` (bounding boxes).

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
from tidelog.media.boxes import box_group
from tidelog.media.files import bytes_array, check_caption, is_path, read_path, snapshot, store_file, to_bytes
from tidelog.media.masks import check_classes, mask_entry, mask_value
from tidelog.media.pixels import (
    MODES,
    array_mode,
    check_array,
    chw_tensor_to_numpy,
    encode_pixels,
    image_size_of_file,
    pil_from_array,
    pil_to_array,
    squeezed,
    to_uint8,
)
from tidelog.media.tensors import tensor_to_numpy

__all__ = ["Image", "MODES", "FILE_TYPES", "KEPT_FORMATS"]

#: Image files kept as their own bytes (extension -> format written in the value).
KEPT_FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpeg", "bmp": "bmp", "gif": "gif", "webp": "webp"}
#: ``file_type`` values for arrays / PIL images (as in W&B).
FILE_TYPES = ("png", "jpg", "jpeg", "bmp")


def _type_module(value: Any) -> str:
    return type(value).__module__ or ""


def _figure_png(value: Any, what: str) -> bytes:
    """A matplotlib figure, Axes or ``pyplot`` (its current figure) rendered to PNG now."""
    from tidelog.media.figures import figure_of, figure_png

    fig = figure_of(value)
    if fig is None:
        raise TypeError(f"{what}: cannot read a {type(value).__name__} as an image; pass a matplotlib Figure or Axes")
    return figure_png(fig)



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
        self._classes = check_classes(classes, what)
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
            arr, self._mode = pil_to_array(data)
            self._normalize = False  # a PIL image's pixels are taken as they are
            self._from_array(arr, self._mode, file_type or "png", what, fresh=True)
        elif _type_module(data).startswith("torch"):
            self._from_array(chw_tensor_to_numpy(data, what), mode, file_type or "png", what)
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
        arr = squeezed(arr)
        check_array(arr, what)
        self._mode = array_mode(arr, mode, what)
        self._source, self._payload, self._format = "array", snapshot(arr, fresh), fmt
        self._height, self._width = int(arr.shape[0]), int(arr.shape[1])

    def _from_file(self, data: bytes, ext: str, what: str) -> None:
        width, height, _pil_format = image_size_of_file(data, what)
        if ext not in KEPT_FORMATS:
            from PIL import Image as PILImage

            arr, mode = pil_to_array(PILImage.open(io.BytesIO(data)))
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
            self._masks.append(mask_entry(str(name), spec, self._size, what))

    def _init_boxes(self, boxes: Any, what: str) -> None:
        self._boxes: dict[str, dict] = {}
        if boxes is None:
            return
        if not isinstance(boxes, dict):
            raise TypeError(f"{what}: boxes must be a dict of name -> {{'box_data': [...], 'class_labels': ...}}")
        for name, spec in boxes.items():
            self._boxes[str(name)] = box_group(str(name), spec, self._size, what)

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
    arr = to_uint8(payload, meta["normalize"])
    return encode_pixels(pil_from_array(arr, meta["mode"]), meta["format"])


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
            m["name"]: mask_value(m, a, run_dir) for m, a in zip(meta["masks"], arrays[1:])
        }
    if meta.get("boxes"):
        value["boxes"] = {name: {"_type": "boxes2D", **group} for name, group in meta["boxes"].items()}
    return value
