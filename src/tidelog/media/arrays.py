"""Bare numpy arrays / tensors in ``log()``, and arrays kept whole in the summary.

History (``bare_array``), W&B's rule (``wandb.util.json_friendly`` and
``maybe_compress_history``):

* size 1 (also numpy scalars and 0-d tensors) -> the Python scalar,
* size <= 32 -> a (nested) list,
* larger -> a histogram with 32 bins (``Prepared`` of kind ``"histogram"``,
  binned on the sender). NaN / Inf in such an array is a ``ValueError``
  naming the key, as for ``Histogram``.

Summary (``summary_array``): a numpy scalar / one-element tensor stays a
number; an array is stored whole as
``media/arrays/<sha256>.npy`` and the summary value carries its statistics::

    {"_type": "array-file", "path": ..., "sha256": ..., "size": ..., "shape": [...],
     "dtype": "float32", "min": ..., "max": ..., "mean": ..., "var": ..., "p95": ...}

Statistics are computed in the encoder over the finite elements (NaN and
+/-Inf ignored; ``"nonfinite"`` counts them); they are ``None`` for an array
with no finite element. torch is never imported: a tensor is recognised by
its type's module and converted with ``.detach().cpu().numpy()``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import Prepared, register_encoder
from tidelog.media.files import store_file
from tidelog.media.histogram import check_finite, prepare_array_histogram
from tidelog.media.tensors import tensor_to_numpy

__all__ = ["bare_array", "summary_array", "to_numpy", "LIST_LIMIT", "HISTORY_BINS"]

#: Arrays up to this size are stored as lists in the history row.
LIST_LIMIT = 32
#: Bins of the histogram that a larger bare array becomes.
HISTORY_BINS = 32


def to_numpy(key: str, value: Any) -> np.ndarray:
    """``value`` (numpy array or scalar, torch/tf/jax tensor) as a numpy array, no copy if possible."""
    if isinstance(value, np.ndarray):
        return value
    arr = tensor_to_numpy(value)
    if arr is not None:
        return arr
    try:
        return np.asarray(value)  # numpy scalars and other array-likes
    except (TypeError, ValueError) as exc:
        raise TypeError(f"tidelog.log: key {key!r}: cannot read {type(value).__name__} as an array ({exc})") from None


def _scalar(arr: np.ndarray) -> Any:
    """The one element of ``arr`` as a plain Python value (long doubles become float)."""
    value = arr.reshape(-1)[0].item()
    return float(value) if isinstance(value, np.generic) else value


def bare_array(key: str, value: Any) -> Any:
    """A Python scalar, a list, or a histogram ``Prepared`` (W&B's rule, see module docstring)."""
    arr = to_numpy(key, value)
    if arr.dtype.kind == "c":
        raise TypeError(f"tidelog.log: key {key!r}: complex arrays are not supported (log .real / .imag)")
    if arr.dtype.kind not in "biuf":
        if arr.size <= LIST_LIMIT and arr.dtype.kind == "U":
            return arr.tolist() if arr.size != 1 else _scalar(arr)
        raise TypeError(f"tidelog.log: key {key!r}: cannot log an array of dtype {arr.dtype}")
    if arr.size == 1:
        return _scalar(arr)
    if arr.size <= LIST_LIMIT:
        return arr.tolist()
    check_finite(arr, f"tidelog.log: key {key!r}: array")
    return prepare_array_histogram(arr, HISTORY_BINS)


def summary_array(key: str, value: Any) -> Any:
    """The summary's ``Prepared``: the whole array to a ``.npy`` file, stats in the value.

    A numpy scalar, 0-d array or tensor of one element is a number, not an
    array: it is returned as the Python scalar (no file), like ``bare_array``.
    """
    arr = to_numpy(key, value)
    if arr.ndim == 0 or (arr.size == 1 and not isinstance(value, np.ndarray)):
        return bare_array(key, arr)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"tidelog.summary: key {key!r}: only real numeric arrays are kept whole, got dtype {arr.dtype}"
        )
    return Prepared("summary-array", {"shape": list(arr.shape), "dtype": arr.dtype.str}, [arr])


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


def _stats(arr: np.ndarray) -> dict:
    flat = arr.reshape(-1)
    if flat.dtype.kind == "f":
        finite = np.isfinite(flat)
        nonfinite = int(flat.size - np.count_nonzero(finite))
        if nonfinite:
            flat = flat[finite]
    else:
        nonfinite = 0
    stats: dict[str, Any] = {"nonfinite": nonfinite}
    if flat.size == 0:
        return {**stats, "min": None, "max": None, "mean": None, "var": None, "p95": None}
    as_float = flat.astype(np.float64, copy=False)
    stats.update(
        min=flat.min().item(),
        max=flat.max().item(),
        mean=float(as_float.mean()),
        var=float(as_float.var()),
        p95=float(np.percentile(as_float, 95)),
    )
    return stats


@register_encoder("summary-array")
def encode_summary_array(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the ``.npy`` file and compute the statistics."""
    arr = np.asarray(arrays[0]).reshape(meta["shape"])
    return {
        "_type": "array-file",
        **store_file(run_dir, "arrays", _npy_bytes(arr), "npy"),
        "shape": list(meta["shape"]),
        "dtype": np.dtype(meta["dtype"]).name,
        **_stats(arr),
    }
