"""Helpers every media module shares: file bytes, content-addressed storage, argument checks.

Training side: ``read_path``, ``is_path``, ``check_caption``, ``check_number`` validate
what the user passed, with errors that say which argument was wrong;
``bytes_array`` wraps encoded bytes for the transport without copying;
``snapshot`` takes the values of a caller's array when a data type is
constructed (W&B's rule: what is stored is what the array held then).
Sender side: ``to_bytes`` turns a transported array back into bytes and
``store_file`` writes a content-addressed file, returning its history entries.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import write_content_addressed

__all__ = ["snapshot", "bytes_array", "read_path", "to_bytes", "store_file", "is_path", "check_caption", "check_number"]


def snapshot(arr: np.ndarray, fresh: bool = False) -> np.ndarray:
    """The values ``arr`` holds now, as an owned, C-contiguous, read-only array.

    Data types call this in their constructor, as W&B encodes a value when it
    is built: ``buf[:] = k; Image(buf)`` three times keeps three images, and
    mutating ``a`` after ``Histogram(a)`` does not change what is logged.
    This is the one copy of the caller's data on the training side; ``log()``
    then copies the snapshot into the transport (shared memory or the spill
    file), which a private snapshot cannot replace: it would not survive the
    training process being killed. ``fresh=True`` when the caller built
    ``arr`` itself (from a list, a PIL image, a decoded file) and no one else
    holds it: no copy, unless it is not contiguous.
    """
    out = arr if fresh and arr.flags.c_contiguous else np.array(arr, order="C", copy=True)
    out.flags.writeable = False
    return out


def bytes_array(data: bytes) -> np.ndarray:
    """Encoded bytes as a read-only uint8 array (no copy), the transport's unit."""
    return np.frombuffer(data, dtype=np.uint8)


def read_path(path: str | os.PathLike, what: str) -> bytes:
    """The bytes of a file, or a clear ``ValueError`` saying which file is missing."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{what}: no such file: {os.fspath(path)!r}") from None
    except IsADirectoryError:
        raise ValueError(f"{what}: {os.fspath(path)!r} is a directory, not a file") from None


def file_path(value: Any) -> str | os.PathLike | None:
    """``value`` when it is a path; an open file's name when it has one on disk (read from
    there, as W&B does); else ``None`` (arrays, ``BytesIO``, ...)."""
    if is_path(value):
        return value
    name = getattr(value, "name", None)
    if hasattr(value, "read") and isinstance(name, str) and os.path.isfile(name):
        return name
    return None


def extension(path: str | os.PathLike) -> str:
    """The file's extension, lower case, without the dot (``""`` when it has none)."""
    return Path(path).suffix.lower().lstrip(".")


def read_stream(stream: Any, what: str, *, text: str | None = None, rewind: bool = True) -> bytes:
    """All bytes of an open file or ``BytesIO``/``StringIO``, from its start when ``rewind``.

    Text is encoded as UTF-8; with ``text`` given, a text stream is refused with
    ``TypeError(f"{what}: {text}")`` instead (binary-only data types).
    """
    if rewind and hasattr(stream, "seek"):
        stream.seek(0)
    data = stream.read()
    if isinstance(data, str):
        if text is not None:
            raise TypeError(f"{what}: {text}")
        return data.encode("utf-8")
    return bytes(data)


def to_bytes(arr: Any) -> bytes:
    """Sender side: an array (or bytes) from the transport back to bytes."""
    if isinstance(arr, (bytes, bytearray, memoryview)):
        return bytes(arr)
    return np.ascontiguousarray(arr, dtype=np.uint8).tobytes()


def store_file(run_dir: Path, subdir: str, data: bytes, ext: str) -> dict:
    """Write a content-addressed file; return its ``path/sha256/size`` entries."""
    rel, digest, size = write_content_addressed(run_dir, subdir, data, ext)
    return {"path": rel, "sha256": digest, "size": size}


def is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def check_caption(caption: Any, what: str) -> str | None:
    if caption is None or isinstance(caption, str):
        return caption
    raise TypeError(f"{what}: caption must be a string, got {type(caption).__name__}")


def check_number(value: Any, what: str) -> float | int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{what} must be a number, got {value!r}")
    value = value.item() if isinstance(value, np.generic) else value
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value
