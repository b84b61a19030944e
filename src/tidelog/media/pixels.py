"""An image's pixels: reading arrays, tensors and PIL images; writing image files (sender side).

Training side: ``squeezed`` / ``check_array`` / ``array_mode`` validate an
array and name the PIL mode its channels are read as (``MODES``);
``chw_tensor_to_numpy`` reads a torch ``(C, H, W)`` tensor channel-last;
``pil_to_array`` takes a PIL image as the uint8 array PNG can store;
``image_size_of_file`` reads an encoded file's size from its header.
Sender side: ``to_uint8`` applies W&B's rescaling (``normalize``),
``pil_from_array`` and ``encode_pixels`` write png / jpeg / bmp bytes.
PIL is imported only where it is used.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from tidelog.media.tensors import tensor_to_numpy

__all__ = [
    "MODES", "MODE_BY_CHANNELS", "MAX_DIMENSION", "squeezed", "check_array", "array_mode",
    "chw_tensor_to_numpy", "pil_to_array", "image_size_of_file", "to_uint8", "pil_from_array", "encode_pixels",
]

#: PIL modes an array may be read as, with the channel count each needs.
MODES = {
    "1": 1, "L": 1, "LA": 2, "RGB": 3, "YCbCr": 3, "HSV": 3, "LAB": 3,
    "RGBA": 4, "RGBX": 4, "CMYK": 4,
}
MODE_BY_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
_PNG_MODES = {"1", "L", "LA", "RGB", "RGBA"}
MAX_DIMENSION = 65500  # PIL's limit


def squeezed(arr: np.ndarray) -> np.ndarray:
    """Drop singleton axes (a view), keeping a trailing channel axis of ``(H, W, 1)`` out."""
    if arr.ndim > 2:
        arr = arr.squeeze()
    return arr


def check_array(arr: np.ndarray, what: str) -> None:
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: image array has dtype {arr.dtype}; expected integers, floats or booleans")
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in MODE_BY_CHANNELS):
        raise ValueError(
            f"{what}: image array has shape {tuple(arr.shape)}; expected (H, W) or (H, W, C) "
            f"with C in 1, 2, 3, 4 (transpose channel-first arrays to channel-last)"
        )
    height, width = arr.shape[:2]
    if not (0 < height <= MAX_DIMENSION and 0 < width <= MAX_DIMENSION):
        raise ValueError(f"{what}: image is {height}x{width}; each side must be 1..{MAX_DIMENSION} pixels")


def array_mode(arr: np.ndarray, mode: str | None, what: str) -> str:
    channels = 1 if arr.ndim == 2 else arr.shape[-1]
    if mode is None:
        return MODE_BY_CHANNELS[channels]
    if mode not in MODES:
        raise ValueError(f"{what}: unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if MODES[mode] != channels:
        raise ValueError(
            f"{what}: mode {mode!r} needs {MODES[mode]} channel(s) but the array "
            f"of shape {tuple(arr.shape)} has {channels}"
        )
    return mode


def chw_tensor_to_numpy(tensor: Any, what: str) -> np.ndarray:
    """A (C, H, W) or (H, W) tensor as an (H, W, C) / (H, W) numpy view."""
    arr = tensor_to_numpy(tensor)
    if arr is None:  # callers pass only what is_tensor() accepted
        raise TypeError(f"{what}: expected a tensor, got {type(tensor).__name__}")
    if arr.ndim == 3 and arr.shape[0] in MODE_BY_CHANNELS:
        return arr.transpose(1, 2, 0)
    if arr.ndim == 3 and arr.shape[0] not in MODE_BY_CHANNELS:
        raise ValueError(
            f"{what}: tensor has shape {tuple(arr.shape)}; expected (C, H, W) with C in 1, 2, 3, 4, or (H, W)"
        )
    return arr


def pil_to_array(img: Any) -> tuple[np.ndarray, str]:
    """A PIL image as a uint8 array and the mode it is stored as."""
    mode = img.mode
    if mode in ("P", "PA"):
        img = img.convert("RGBA" if (mode == "PA" or "transparency" in img.info) else "RGB")
    elif mode == "1" or mode.startswith(("I", "F")):
        img = img.convert("L")
    elif mode not in _PNG_MODES:
        img = img.convert("RGB")
    return np.asarray(img), img.mode


def _rescale(arr: np.ndarray) -> np.ndarray:
    """W&B's ``_guess_and_rescale_to_0_255`` (sender side)."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
    lo, hi = arr.min(), arr.max()
    if lo >= 0 and hi <= 1:
        return (arr * 255).astype(np.uint8)
    if lo >= -1 and hi <= 1:
        return (255 * 0.5 * (arr + 1)).astype(np.uint8)
    return arr.clip(0, 255).astype(np.uint8)


def to_uint8(arr: np.ndarray, normalize: bool) -> np.ndarray:
    arr = np.asarray(arr)
    if normalize:
        return _rescale(arr)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr, nan=0.0)
    return arr.clip(0, 255).astype(np.uint8) if arr.dtype != np.uint8 else arr


def pil_from_array(arr: np.ndarray, mode: str):
    from PIL import Image as PILImage

    arr = np.ascontiguousarray(arr)
    if mode == "1":
        return PILImage.fromarray(arr).convert("1")
    if mode in ("L", "LA", "RGB", "RGBA"):
        return PILImage.fromarray(arr)
    img = PILImage.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())
    return img.convert("RGB")


def encode_pixels(img, fmt: str) -> bytes:
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


def image_size_of_file(data: bytes, what: str) -> tuple[int, int, str]:
    """(width, height, PIL format) from an encoded image's header."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            return img.width, img.height, img.format or ""
    except UnidentifiedImageError:
        raise ValueError(f"{what}: the file is not an image Pillow can read") from None
