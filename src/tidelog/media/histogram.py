"""``tidelog.Histogram``: binned distributions, W&B's ``{"_type": "histogram"}``.

Two ways to build one (as ``wandb.Histogram``)::

    Histogram(sequence, num_bins=64)          # binned later, on the sender
    Histogram(np_histogram=np.histogram(x))   # your own (values, edges)

History / summary value (W&B's layout, ``bins`` are the *edges*)::

    {"_type": "histogram", "values": [count, ...], "bins": [edge, ..., edge]}

with ``len(bins) == len(values) + 1`` and at most 512 bins (``MAX_LENGTH``).

Training side: a sequence is converted to a numpy array (tensors with
``.detach().cpu().numpy()``) and the constructor takes a snapshot of it (one
copy; none for a list, whose array is new), so the values binned are those
the sequence held when the ``Histogram`` was built, as in W&B (which bins in
the constructor); ``np.histogram(values, bins=num_bins)`` runs in the encoder
on the sender.

NaN / Inf: like W&B (whose ``np.histogram`` call raises "autodetected range
... is not finite"), a sequence containing NaN or +/-Inf is refused with a
``ValueError`` in the constructor, before anything is logged. Filter first,
e.g. ``x[np.isfinite(x)]``. The check is ``min``/``max`` of the array (no
temporary of the array's size).

Histograms work the same in the summary: the pipeline hands the same
``Prepared`` to the same encoder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import Media, Prepared, register_encoder
from tidelog.media.files import snapshot
from tidelog.media.tensors import tensor_to_numpy

__all__ = ["Histogram", "MAX_LENGTH", "as_numeric_array", "check_finite"]

#: The most bins a histogram may have (W&B's ``Histogram.MAX_LENGTH``).
MAX_LENGTH = 512


def as_numeric_array(value: Any, what: str) -> np.ndarray:
    """``value`` as a real-valued numpy array, without copying when it already is one.

    ``what`` names the value in errors (e.g. ``"tidelog.Histogram: sequence"``).
    torch tensors are converted with ``.detach().cpu().numpy()`` (torch is
    never imported here).
    """
    tensor = tensor_to_numpy(value)
    if tensor is not None:
        value = tensor
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be a sequence of numbers ({exc})") from None
    if arr.dtype.kind in "biuf":
        return arr
    if arr.dtype.kind == "c":
        raise TypeError(f"{what} must be real numbers, got complex dtype {arr.dtype}")
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a sequence of numbers, got dtype {arr.dtype}") from None


def check_finite(arr: np.ndarray, what: str) -> None:
    """Raise ``ValueError`` if a float array holds NaN or +/-Inf (W&B's behaviour)."""
    if arr.dtype.kind != "f" or arr.size == 0:
        return
    lo, hi = arr.min(), arr.max()  # both NaN if any element is NaN
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(
            f"{what} contains NaN or Inf (min={lo}, max={hi}); histograms need finite values, "
            "filter them first (e.g. x[np.isfinite(x)])"
        )


def _check_num_bins(num_bins: Any) -> int:
    if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)):
        raise TypeError(f"tidelog.Histogram: num_bins must be an int, got {type(num_bins).__name__}")
    if not 1 <= num_bins <= MAX_LENGTH:
        raise ValueError(
            f"tidelog.Histogram: num_bins={num_bins} is out of range; the maximum is {MAX_LENGTH} bins"
        )
    return int(num_bins)


def _from_np_histogram(np_histogram: Any) -> tuple[list, list]:
    """Validate ``(values, edges)`` as ``np.histogram`` returns them; plain lists out."""
    if not isinstance(np_histogram, (tuple, list)) or len(np_histogram) != 2:
        raise ValueError(
            "tidelog.Histogram: np_histogram must be a (values, bin_edges) pair as np.histogram returns"
        )
    values = as_numeric_array(np_histogram[0], "tidelog.Histogram: np_histogram values")
    edges = as_numeric_array(np_histogram[1], "tidelog.Histogram: np_histogram bin edges")
    if values.ndim != 1 or edges.ndim != 1:
        raise ValueError("tidelog.Histogram: np_histogram values and bin edges must be 1-D")
    if len(values) > MAX_LENGTH:
        raise ValueError(
            f"tidelog.Histogram: {len(values)} bins; the maximum length of a histogram is {MAX_LENGTH}"
        )
    if len(edges) != len(values) + 1:
        raise ValueError(
            f"tidelog.Histogram: len(bin_edges) must be len(values) + 1, "
            f"got {len(edges)} edges for {len(values)} values"
        )
    return values.tolist(), edges.tolist()


class Histogram(Media):
    """A histogram, as ``wandb.Histogram(sequence=None, np_histogram=None, num_bins=64)``.

    ``histogram`` (counts) and ``bins`` (edges) are available as attributes,
    computed on first access when built from a sequence.
    """

    MAX_LENGTH = MAX_LENGTH

    def __init__(self, sequence: Any = None, np_histogram: Any = None, num_bins: int = 64) -> None:
        self._values: list | None = None
        self._edges: list | None = None
        self._array: np.ndarray | None = None
        self._num_bins = _check_num_bins(num_bins)
        if np_histogram is not None:
            if sequence is not None:
                raise ValueError("tidelog.Histogram: give either sequence or np_histogram, not both")
            self._values, self._edges = _from_np_histogram(np_histogram)
            return
        if sequence is None:
            raise ValueError("tidelog.Histogram: expected a sequence or np_histogram=(values, bin_edges)")
        arr = as_numeric_array(sequence, "tidelog.Histogram: sequence")
        check_finite(arr, "tidelog.Histogram: sequence")
        self._array = snapshot(arr, fresh=isinstance(sequence, (list, tuple)))

    @property
    def histogram(self) -> list:
        """Counts per bin (computed here, on the caller, only when read)."""
        return self._binned()[0]

    @property
    def bins(self) -> list:
        """Bin edges, ``len(histogram) + 1`` of them."""
        return self._binned()[1]

    def _binned(self) -> tuple[list, list]:
        if self._values is None:
            values, edges = np.histogram(self._array, bins=self._num_bins)  # type: ignore[arg-type]  # _array is set whenever _values is None
            return values.tolist(), edges.tolist()
        return self._values, self._edges  # type: ignore[return-value]  # both set together when given as np_histogram

    def _prepare(self, key: str) -> Prepared:
        if self._array is None:
            return Prepared("histogram", {"values": self._values, "bins": self._edges}, [])
        return prepare_array_histogram(self._array, self._num_bins)

    def __repr__(self) -> str:
        if self._array is None:
            return f"Histogram(bins={len(self._values or [])})"
        return f"Histogram(sequence of {self._array.size}, num_bins={self._num_bins})"


def prepare_array_histogram(arr: np.ndarray, num_bins: int) -> Prepared:
    """The ``Prepared`` for binning ``arr`` on the sender (array by reference)."""
    return Prepared("histogram", {"num_bins": int(num_bins)}, [arr])


@register_encoder("histogram")
def encode_histogram(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: bin the array (or pass precomputed bins through); no file."""
    if not arrays:
        return {"_type": "histogram", "values": list(meta["values"]), "bins": list(meta["bins"])}
    arr = np.asarray(arrays[0])
    if arr.dtype.kind == "b":
        arr = arr.view(np.uint8)
    values, edges = np.histogram(arr, bins=int(meta["num_bins"]))
    return {"_type": "histogram", "values": values.tolist(), "bins": edges.tolist()}
