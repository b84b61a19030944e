"""``tidelog.plot.pr_curve`` and ``roc_curve``: one curve per class, computed on the sender.

Both take ``(y_true, y_probas, labels, classes_to_plot, title, split_table)``
as W&B does and differ only in the points drawn (``Curve``: precision
against recall, or true against false positive rate) and their axis names.
The caller validates and snapshots the arrays; the sender computes the
points with numpy (no scikit-learn), rounds them to 3 decimals (as W&B) and,
when all classes together have more than 10,000 points, resamples each
class to evenly spaced points keeping both ends (W&B samples randomly),
with a warning at ``log()``. The table (``class`` and the two axes) is
stored as a custom chart on W&B's ``wandb/area-under-curve/v0`` spec.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tidelog._warn import warn
from tidelog.media.base import Media, register_encoder
from tidelog.media.chart_specs import ComputedChart, chart_value
from tidelog.media.table import MAX_ROWS
from tidelog.media.table_codec import table_file_value
from tidelog.media.tensors import as_numpy

__all__ = ["pr_curve", "roc_curve", "pr_points", "roc_points", "Curve", "PR", "ROC"]

Points = Callable[[np.ndarray, np.ndarray], "tuple[np.ndarray, np.ndarray] | None"]


def _binary_counts(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives at each distinct score threshold, highest threshold first."""
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], positive[order]
    last = np.r_[np.flatnonzero(np.diff(s)), y.size - 1]
    tps = np.cumsum(y)[last]
    fps = (last + 1) - tps
    return tps.astype(np.float64), fps.astype(np.float64)


def pr_points(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(recall, precision), recall ascending, from (0, 1); ``None`` without positives."""
    tps, fps = _binary_counts(positive, scores)
    if tps.size == 0 or tps[-1] == 0:
        return None
    return np.r_[0.0, tps / tps[-1]], np.r_[1.0, tps / (tps + fps)]


def roc_points(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(fpr, tpr) from (0, 0) to (1, 1); ``None`` without both positives and negatives."""
    tps, fps = _binary_counts(positive, scores)
    if tps.size == 0 or tps[-1] == 0 or fps[-1] == 0:
        return None
    return np.r_[0.0, fps / fps[-1]], np.r_[0.0, tps / tps[-1]]


def _resample(n: int, budget: int) -> np.ndarray:
    """Evenly spaced indices into ``n`` points, both ends kept."""
    if n <= budget:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(budget, 2)).round().astype(np.int64))


def _class_targets(what: str, y_true: Any, y_probas: Any, labels: Any) -> tuple[np.ndarray, np.ndarray, list | None]:
    """Validate ``y_true`` (n,) and ``y_probas`` (n,) or (n, k); classes as column indices."""
    from tidelog.media.histogram import as_numeric_array

    if y_true is None or y_probas is None:
        raise ValueError(f"tidelog.plot.{what}: y_true and y_probas are both required")
    probas = as_numeric_array(y_probas, f"tidelog.plot.{what}: y_probas")
    if probas.ndim not in (1, 2):
        raise ValueError(f"tidelog.plot.{what}: y_probas must be (n,) or (n, classes), got shape {probas.shape}")
    truth = as_numpy(y_true)
    if truth.ndim != 1 or len(truth) != len(probas):
        raise ValueError(
            f"tidelog.plot.{what}: y_true has shape {truth.shape} but y_probas has {len(probas)} rows"
        )
    ncls = 2 if probas.ndim == 1 else probas.shape[1]
    names: Any = None  # None, then the class names as a list
    if truth.dtype.kind in "iub":
        truth = truth.astype(np.int64, copy=False)
        if truth.size and (truth.min() < 0 or truth.max() >= ncls):
            raise ValueError(
                f"tidelog.plot.{what}: y_true holds class {truth.min() if truth.min() < 0 else truth.max()} "
                f"but y_probas has {ncls} class columns"
            )
    else:
        names, truth = np.unique(truth, return_inverse=True)  # class i = i-th sorted label (W&B)
        names = names.tolist()
        if len(names) > ncls:
            raise ValueError(f"tidelog.plot.{what}: y_true has {len(names)} classes but y_probas has {ncls} columns")
    if labels is not None:
        names = [str(label) for label in labels]
        if len(names) < ncls:
            raise ValueError(f"tidelog.plot.{what}: {len(names)} labels for {ncls} classes")
    return truth, probas, names


def _class_index(what: str, c: Any, names: list | None, ncls: int) -> int:
    if isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c < ncls:
        return int(c)
    if names is not None and c in names:
        return names.index(c)
    raise ValueError(f"tidelog.plot.{what}: classes_to_plot names class {c!r}, which is not a class of y_true")


@dataclass(frozen=True)
class Curve:
    """One kind of per-class curve: its media kind, axes, table columns and default titles."""

    kind: str
    what: str                   # the tidelog.plot function, for errors
    x: str                      # column of the x axis
    y: str                      # column of the y axis
    columns: tuple[str, ...]    # the table's columns, in W&B's order
    points: Points              # (positive, scores) -> (xs, ys), or None when undefined
    title: str
    x_title: str
    y_title: str

    def chart(self, title: str | None, split_table: bool) -> dict:
        return {
            "spec_name": "wandb/area-under-curve/v0",
            "fields": {"x": self.x, "y": self.y, "class": "class"},
            "string_fields": {"title": title or self.title, "x-axis-title": self.x_title,
                              "y-axis-title": self.y_title},
            "split_table": bool(split_table),
        }


PR = Curve("pr-curve", "pr_curve", "recall", "precision", ("class", "precision", "recall"), pr_points,
           "Precision v. Recall", "Recall", "Precision")
ROC = Curve("roc-curve", "roc_curve", "fpr", "tpr", ("class", "fpr", "tpr"), roc_points,
            "ROC Curve", "False positive rate", "True positive rate")


class _CurveChart(ComputedChart):
    def _warn_if_resampled(self, key: str) -> None:
        n, k = self._meta["n"], self._arrays[1].shape[1] if self._arrays[1].ndim == 2 else 2
        nplot = len(self._meta["classes_to_plot"]) if self._meta["classes_to_plot"] is not None else k
        if (n + 1) * nplot > MAX_ROWS:
            warn(f"tidelog.log: key {key!r}: the curve may have more than {MAX_ROWS} points; "
                 f"it is resampled to at most {MAX_ROWS} rows")


def _curve_chart(curve: Curve, y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any,
                 title: str | None, split_table: bool) -> Media:
    truth, probas, names = _class_targets(curve.what, y_true, y_probas, labels)
    ncls = 2 if probas.ndim == 1 else probas.shape[1]
    plot = None if classes_to_plot is None else [_class_index(curve.what, c, names, ncls) for c in classes_to_plot]
    meta = {"names": names, "classes_to_plot": plot, "n": len(truth)}
    return _CurveChart(curve.kind, meta, [truth, probas], curve.chart(title, split_table))


def pr_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Media:
    """``wandb.plot.pr_curve``: precision against recall, one curve per class."""
    return _curve_chart(PR, y_true, y_probas, labels, classes_to_plot, title, split_table)


def roc_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Media:
    """``wandb.plot.roc_curve``: true positive rate against false positive rate, per class."""
    return _curve_chart(ROC, y_true, y_probas, labels, classes_to_plot, title, split_table)


# -- sender side ---------------------------------------------------------------------------


def _curve_rows(curve: Curve, meta: dict, arrays: list) -> list[list]:
    """The table rows: per class, its points (resampled to fit ``MAX_ROWS`` together), in ``curve.columns``."""
    truth = np.asarray(arrays[0])
    probas = np.asarray(arrays[1], dtype=np.float64)
    if probas.ndim == 1:
        probas = np.stack([1.0 - probas, probas], axis=1)
    names = meta.get("names")
    classes = meta.get("classes_to_plot")
    classes = [int(c) for c in np.unique(truth)] if classes is None else classes
    curves = []
    for c in classes:
        pts = curve.points(truth == c, probas[:, c])
        if pts is not None:
            curves.append((names[c] if names else c, pts))
    budget = MAX_ROWS // max(len(curves), 1)
    rows = []
    for label, (xs, ys) in curves:
        keep = _resample(len(xs), budget)
        for x, y in zip(xs[keep], ys[keep]):
            cells = {"class": label, curve.x: round(float(x), 3), curve.y: round(float(y), 3)}
            rows.append([cells[c] for c in curve.columns])
    return rows


def _encode_curve(curve: Curve) -> Callable[[dict, list, Path], dict]:
    def encode_curve(meta: dict, arrays: list, run_dir: Path) -> dict:
        """Sender side: the points per class -> the table -> the chart value."""
        table = table_file_value(run_dir, list(curve.columns), _curve_rows(curve, meta, arrays))
        return chart_value(run_dir, table, meta["chart"])

    return register_encoder(curve.kind)(encode_curve)


encode_pr_curve = _encode_curve(PR)
encode_roc_curve = _encode_curve(ROC)
