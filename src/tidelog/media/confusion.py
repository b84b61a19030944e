"""``tidelog.plot.confusion_matrix``: counts per (actual, predicted) class, computed on the sender.

From ``probs`` (n, classes; the prediction is the argmax) or ``preds`` (n,),
and ``y_true``, as W&B's. With ``class_names`` the labels are class indices
into it; without, the classes are the sorted union of the labels, named
``Class_1``, ``Class_2``, ... (W&B's naming); string labels are turned into
indices on the caller. The table ``Actual, Predicted, nPredictions`` holds
every pair of classes (zero counts included) and is stored as a custom chart
on W&B's ``wandb/confusion_matrix/v1`` spec.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import Media, register_encoder
from tidelog.media.chart_specs import ComputedChart, chart_value
from tidelog.media.table_codec import table_file_value
from tidelog.media.tensors import as_numpy

__all__ = ["confusion_matrix"]


def _labels_array(what: str, values: Any) -> np.ndarray:
    arr = as_numpy(values)
    if arr.ndim != 1:
        raise ValueError(f"tidelog.plot.confusion_matrix: {what} must be 1-D, got shape {arr.shape}")
    return arr


def confusion_matrix(
    probs: Any = None,
    y_true: Any = None,
    preds: Any = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Media:
    """``wandb.plot.confusion_matrix`` from ``probs`` (n, classes) or ``preds`` (n,), and ``y_true``."""
    if (probs is None) == (preds is None):
        raise ValueError("tidelog.plot.confusion_matrix: give exactly one of probs or preds")
    if y_true is None:
        raise ValueError("tidelog.plot.confusion_matrix: y_true is required")
    truth = _labels_array("y_true", y_true)
    if probs is not None:
        from tidelog.media.histogram import as_numeric_array

        scores = as_numeric_array(probs, "tidelog.plot.confusion_matrix: probs")
        if scores.ndim != 2:
            raise ValueError(f"tidelog.plot.confusion_matrix: probs must be (n, classes), got shape {scores.shape}")
        other, source = scores, "probs"
    else:
        other, source = _labels_array("preds", preds), "preds"
    if len(other) != len(truth):
        raise ValueError(
            f"tidelog.plot.confusion_matrix: {len(other)} {source} but {len(truth)} true labels; they must be equal"
        )
    meta, arrays = _confusion_inputs(truth, other, source, class_names)
    chart = {
        "spec_name": "wandb/confusion_matrix/v1",
        "fields": {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "nPredictions"},
        "string_fields": {"title": title or "Confusion Matrix Curve"},
        "split_table": bool(split_table),
    }
    return ComputedChart("confusion-matrix", meta, arrays, chart)


def _confusion_inputs(truth: np.ndarray, other: np.ndarray, source: str, class_names: Any) -> tuple[dict, list]:
    """Validate against ``class_names``; non-numeric labels become indices here."""
    numeric = truth.dtype.kind in "iub" and (source == "probs" or other.dtype.kind in "iub")
    if class_names is not None:
        names = [str(c) for c in class_names]
        k = len(names)
        if not numeric:
            raise ValueError("tidelog.plot.confusion_matrix: with class_names, labels must be class indices (ints)")
        for what, arr in (("y_true", truth), (source, other if source == "preds" else None)):
            if arr is not None and arr.size and (arr.min() < 0 or arr.max() >= k):
                raise ValueError(
                    f"tidelog.plot.confusion_matrix: {what} holds class index "
                    f"{arr.min() if arr.min() < 0 else arr.max()}, outside the {k} class_names"
                )
        if source == "probs" and other.shape[1] > k:
            raise ValueError(f"tidelog.plot.confusion_matrix: probs has {other.shape[1]} columns for {k} class_names")
        return {"source": source, "names": names, "labelled": True}, [truth, other]
    if numeric:
        return {"source": source, "names": None, "labelled": False}, [truth, other]
    values, inverse = np.unique(np.concatenate([truth.astype(str), other.astype(str)]), return_inverse=True)
    n = len(truth)
    return {"source": "preds", "names": None, "labelled": False, "k": len(values)}, [inverse[:n], inverse[n:]]


@register_encoder("confusion-matrix")
def encode_confusion_matrix(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: counts per (actual, predicted) -> table ``Actual, Predicted, nPredictions``."""
    truth = np.asarray(arrays[0]).astype(np.int64)
    other = np.asarray(arrays[1])
    preds = other.argmax(axis=1) if meta["source"] == "probs" else other.astype(np.int64)
    if meta["labelled"]:
        names = meta["names"]
        t_idx, p_idx = truth, preds
    else:  # W&B: the sorted union of the labels, named Class_1, Class_2, ...
        classes, inverse = np.unique(np.concatenate([truth, preds]), return_inverse=True)
        names = [f"Class_{i + 1}" for i in range(len(classes))]
        t_idx, p_idx = inverse[: len(truth)], inverse[len(truth) :]
    k = len(names)
    counts = np.bincount(t_idx * k + p_idx, minlength=k * k).reshape(k, k)
    rows = [[names[i], names[j], int(counts[i, j])] for i in range(k) for j in range(k)]
    table = table_file_value(run_dir, ["Actual", "Predicted", "nPredictions"], rows)
    return chart_value(run_dir, table, meta["chart"])
