"""``tidelog.plot`` presets, ``plot_table`` custom charts, matplotlib and Plotly figures.

Custom charts (``line``, ``scatter``, ``bar``, ``histogram``, ``line_series``,
``pr_curve``, ``roc_curve``, ``confusion_matrix``, ``plot_table``) are a
``Table`` plus a Vega-Lite spec. The built-in specs ship as Vega-Lite v5 JSON
in ``tidelog/media/vega/`` with ``data: {"name": "table"}`` (the table's rows
are that data set) and W&B's placeholders ``${field:NAME}`` (bound by
``fields`` to a table column) and ``${string:NAME}`` (from ``string_fields``).

History value (W&B's ``table-file`` plus W&B's custom-chart panel config)::

    {"_type": "table-file", "path": "media/tables/<sha>.table.json", "sha256", "size",
     "ncols", "nrows",
     "panel_type": "Vega2",
     "panel_config": {"panelDefId": "wandb/line/v0", "fieldSettings": {...},
                      "stringSettings": {...}, "transform": {"name": "tableWithLeafColNames"}},
     "vega_spec": {"path": "media/vega/<sha>.vega.json", "sha256", "size"}}   # or None

Deviation from W&B: W&B logs the table under ``<key>_table`` and puts the
panel config in the run config at ``_wandb.visualize.<key>``; an encoder
returns one value for one key, so tidelog keeps both in the value under the
key itself. ``vega_spec`` names the preset's spec with every placeholder
resolved (a channel bound to ``None``, e.g. ``stroke=None``, is dropped), so
a viewer renders it with the table rows as data set ``"table"``; it is
``None`` for a spec name tidelog does not ship (``plot_table("me/chart", ...)``),
where only ``panel_config`` records the binding.

PR / ROC curves and confusion matrices are computed with numpy on the sender
(no scikit-learn); the caller only validates and hands the arrays over.
Curve points are rounded to 3 decimals (as W&B) and, when all classes
together have more than 10,000 points, each class is resampled to evenly
spaced points keeping both ends (W&B samples randomly), with a warning.

matplotlib figures (or the ``pyplot`` module: its current figure) are pickled
on the caller (about 2 ms for a small figure, against about 25 ms for
``savefig`` to PNG; ``savefig`` is the fallback when a figure will not
pickle). On the sender the figure is converted with ``plotly.tools.mpl_to_plotly``
and stored as ``plotly-file``; when plotly is missing or the conversion fails,
it is rendered to PNG and stored as ``image-file``; so is a figure that
holds images (``imshow``), which the converter would drop (W&B does the
same). Plotly figures are pickled
on the caller and written with ``plotly.io.to_json`` on the sender::

    {"_type": "plotly-file", "path": "media/plotly/<sha>.plotly.json", "sha256", "size"}
"""

from __future__ import annotations

import io
import json
import pickle
import re
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from tidelog._warn import warn
from tidelog.media.base import (
    Media,
    Prepared,
    register_encoder,
    write_content_addressed,
)
from tidelog.media.files import snapshot
from tidelog.media.table import MAX_ROWS, Table, encode_table_payload, table_file_value
from tidelog.media.tensors import tensor_to_numpy

__all__ = [
    "CustomChart",
    "plot_table",
    "line",
    "scatter",
    "bar",
    "histogram",
    "line_series",
    "pr_curve",
    "roc_curve",
    "confusion_matrix",
    "from_figure",
    "PRESET_SPECS",
    "load_preset_spec",
    "resolve_spec",
]

#: Spec names tidelog ships, and their files under ``tidelog/media/vega/``.
PRESET_SPECS = {
    "wandb/line/v0": "line.json",
    "wandb/scatter/v0": "scatter.json",
    "wandb/bar/v0": "bar.json",
    "wandb/histogram/v0": "histogram.json",
    "wandb/lineseries/v0": "lineseries.json",
    "wandb/area-under-curve/v0": "area-under-curve.json",
    "wandb/confusion_matrix/v1": "confusion_matrix.json",
}

_PLACEHOLDER = re.compile(r"\$\{(field|string):([^}]+)\}")


# -- specs --------------------------------------------------------------------------------


def load_preset_spec(name: str) -> dict | None:
    """The shipped Vega-Lite spec for ``name`` (placeholders intact), or ``None``."""
    fname = PRESET_SPECS.get(name)
    if fname is None:
        return None
    text = resources.files("tidelog.media").joinpath("vega", fname).read_text(encoding="utf-8")
    return json.loads(text)


def _resolve_str(s: str, fields: dict, strings: dict) -> Any:
    whole = _PLACEHOLDER.fullmatch(s)
    if whole:
        table = fields if whole.group(1) == "field" else strings
        return table.get(whole.group(2), None if whole.group(1) == "field" else "")

    def sub(m: re.Match) -> str:
        table = fields if m.group(1) == "field" else strings
        value = table.get(m.group(2))
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(sub, s)


def resolve_spec(spec: Any, fields: dict, strings: dict) -> Any:
    """Replace ``${field:..}`` / ``${string:..}``; drop channels whose field is unbound."""
    if isinstance(spec, str):
        return _resolve_str(spec, fields, strings)
    if isinstance(spec, list):
        return [resolve_spec(v, fields, strings) for v in spec]
    if isinstance(spec, dict):
        out = {}
        for k, v in spec.items():
            r = resolve_spec(v, fields, strings)
            if isinstance(r, dict) and "field" in r and r["field"] is None:
                continue  # e.g. color channel of a line chart with stroke=None
            out[k] = r
        return out
    return spec


def _chart_value(run_dir: Path, table_value: dict, chart: dict) -> dict:
    """A ``table-file`` value plus the panel config and the resolved spec file."""
    value = dict(table_value)
    value["panel_type"] = "Vega2"
    value["panel_config"] = {
        "panelDefId": chart["spec_name"],
        "fieldSettings": chart["fields"],
        "stringSettings": chart["string_fields"],
        "transform": {"name": "tableWithLeafColNames"},
    }
    if chart.get("split_table"):
        value["split_table"] = True
    spec = load_preset_spec(chart["spec_name"])
    value["vega_spec"] = None
    if spec is not None:
        body = json.dumps(resolve_spec(spec, chart["fields"], chart["string_fields"]), sort_keys=True)
        rel, digest, size = write_content_addressed(run_dir, "vega", body.encode("utf-8"), "vega.json")
        value["vega_spec"] = {"path": rel, "sha256": digest, "size": size}
    return value


# -- custom charts over a Table ----------------------------------------------------------------


class CustomChart(Media):
    """A table bound to a Vega-Lite spec (what ``plot_table`` and the presets return)."""

    def __init__(
        self,
        spec_name: str,
        table: Table,
        fields: dict,
        string_fields: dict | None = None,
        split_table: bool = False,
    ) -> None:
        if not isinstance(spec_name, str) or not spec_name:
            raise TypeError(f"tidelog.plot_table: vega_spec_name must be a non-empty str, got {spec_name!r}")
        if not isinstance(table, Table):
            raise TypeError(
                f"tidelog.plot_table: data_table must be a tidelog.Table, got {type(table).__name__}"
            )
        self.spec_name = spec_name
        self.table = table
        self.fields = _check_fields(spec_name, table, fields)
        self.string_fields = _check_string_fields(spec_name, string_fields)
        self.split_table = bool(split_table)

    def _chart_meta(self) -> dict:
        return {
            "spec_name": self.spec_name,
            "fields": self.fields,
            "string_fields": self.string_fields,
            "split_table": self.split_table,
        }

    def _prepare(self, key: str) -> Prepared:
        table_meta, arrays = self.table._pack(key)
        return Prepared("custom-chart", {"table": table_meta, "chart": self._chart_meta()}, arrays)

    def __repr__(self) -> str:
        return f"CustomChart({self.spec_name!r}, fields={self.fields})"


def _check_fields(spec_name: str, table: Table, fields: Any) -> dict:
    if not isinstance(fields, dict):
        raise TypeError(f"tidelog.plot_table({spec_name!r}): fields must be a dict, got {type(fields).__name__}")
    for name, column in fields.items():
        if not isinstance(name, str):
            raise TypeError(f"tidelog.plot_table({spec_name!r}): field names must be str, got {name!r}")
        if column is not None and column not in table.columns:
            raise ValueError(
                f"tidelog.plot_table({spec_name!r}): field {name!r} is bound to column {column!r}, "
                f"which the table does not have (columns: {table.columns})"
            )
    return dict(fields)


def _check_string_fields(spec_name: str, string_fields: Any) -> dict:
    if string_fields is None:
        return {}
    if not isinstance(string_fields, dict):
        raise TypeError(
            f"tidelog.plot_table({spec_name!r}): string_fields must be a dict, got {type(string_fields).__name__}"
        )
    out = {}
    for k, v in string_fields.items():
        if not isinstance(k, str) or not (v is None or isinstance(v, (str, int, float, bool))):
            raise TypeError(f"tidelog.plot_table({spec_name!r}): string_fields[{k!r}] must be a str, got {v!r}")
        out[k] = v
    return out


@register_encoder("custom-chart")
def encode_custom_chart(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: the table file, the resolved spec file, the chart value."""
    return _chart_value(run_dir, encode_table_payload(meta["table"], arrays, run_dir), meta["chart"])


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: dict,
    string_fields: dict | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A custom chart: ``data_table`` drawn by spec ``vega_spec_name``, ``fields`` naming its columns."""
    return CustomChart(vega_spec_name, data_table, fields, string_fields, split_table)


def line(table: Table, x: str, y: str, stroke: str | None = None, title: str = "", split_table: bool = False) -> CustomChart:
    """``wandb.plot.line``: y against x, one line per ``stroke`` value."""
    return plot_table("wandb/line/v0", table, {"x": x, "y": y, "stroke": stroke}, {"title": title}, split_table)


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> CustomChart:
    """``wandb.plot.scatter``: one point per row."""
    return plot_table("wandb/scatter/v0", table, {"x": x, "y": y}, {"title": title}, split_table)


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """``wandb.plot.bar``: one bar per label."""
    return plot_table("wandb/bar/v0", table, {"label": label, "value": value}, {"title": title}, split_table)


def histogram(table: Table, value: str, title: str | None = None, split_table: bool = False) -> CustomChart:
    """``wandb.plot.histogram``: the distribution of one column."""
    return plot_table("wandb/histogram/v0", table, {"value": value}, {"title": title or ""}, split_table)


def _is_series_list(xs: Any) -> bool:
    if isinstance(xs, np.ndarray):
        return xs.ndim == 2
    first = xs[0] if len(xs) else None
    return isinstance(first, (list, tuple, np.ndarray)) or (
        hasattr(first, "__len__") and not isinstance(first, (str, bytes))
    )


def _plain_list(values: Any) -> list:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def line_series(
    xs: Any,
    ys: Any,
    keys: Sequence[str] | None = None,
    title: str | None = None,
    xname: str | None = None,
    split_table: bool = False,
) -> CustomChart:
    """``wandb.plot.line_series``: several lines; ``xs`` one shared series or one per line."""
    ys = [_plain_list(y) for y in ys]
    if not len(xs):
        raise ValueError("tidelog.plot.line_series: xs is empty")
    xs = [_plain_list(x) for x in xs] if _is_series_list(xs) else [_plain_list(xs)] * len(ys)
    if len(xs) != len(ys):
        raise ValueError(f"tidelog.plot.line_series: {len(xs)} x-series for {len(ys)} y-series")
    keys = [f"line_{i}" for i in range(len(ys))] if keys is None else list(keys)
    if len(keys) != len(ys):
        raise ValueError(f"tidelog.plot.line_series: {len(keys)} keys for {len(ys)} y-series")
    for i, (xx, yy) in enumerate(zip(xs, ys)):
        if len(xx) != len(yy):
            raise ValueError(f"tidelog.plot.line_series: series {i} has {len(xx)} x values and {len(yy)} y values")
    data = [[x, k, y] for xx, k, yy in zip(xs, keys, ys) for x, y in zip(xx, yy)]
    table = Table(columns=["step", "lineKey", "lineVal"], data=data)
    return plot_table(
        "wandb/lineseries/v0",
        table,
        {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"},
        {"title": title or "", "xname": xname or "x"},
        split_table,
    )


# -- charts computed on the sender: PR, ROC, confusion matrix ----------------------------------


class _ComputedChart(Media):
    """A chart whose table is computed from arrays in the encoder."""

    _kind = ""

    def __init__(self, meta: dict, arrays: list, chart: dict) -> None:
        self._meta = meta
        self._arrays = [snapshot(a) for a in arrays]  # the inputs as they are now, as W&B computes here
        self._chart = chart

    def _prepare(self, key: str) -> Prepared:
        self._warn_if_resampled(key)
        return Prepared(self._kind, {**self._meta, "chart": self._chart}, list(self._arrays))

    def _warn_if_resampled(self, key: str) -> None:
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._chart['spec_name']!r})"


def _as_numpy(values: Any) -> np.ndarray:
    tensor = tensor_to_numpy(values)
    return np.asarray(values) if tensor is None else tensor


def _class_targets(what: str, y_true: Any, y_probas: Any, labels: Any) -> tuple[np.ndarray, np.ndarray, list | None]:
    """Validate ``y_true`` (n,) and ``y_probas`` (n,) or (n, k); classes as column indices."""
    from tidelog.media.histogram import as_numeric_array

    if y_true is None or y_probas is None:
        raise ValueError(f"tidelog.plot.{what}: y_true and y_probas are both required")
    probas = as_numeric_array(y_probas, f"tidelog.plot.{what}: y_probas")
    if probas.ndim not in (1, 2):
        raise ValueError(f"tidelog.plot.{what}: y_probas must be (n,) or (n, classes), got shape {probas.shape}")
    truth = _as_numpy(y_true)
    if truth.ndim != 1 or len(truth) != len(probas):
        raise ValueError(
            f"tidelog.plot.{what}: y_true has shape {truth.shape} but y_probas has {len(probas)} rows"
        )
    ncls = 2 if probas.ndim == 1 else probas.shape[1]
    names = None
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


def _curve_chart(
    cls: type, what: str, y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any, chart: dict
) -> Media:
    truth, probas, names = _class_targets(what, y_true, y_probas, labels)
    ncls = 2 if probas.ndim == 1 else probas.shape[1]
    plot = None if classes_to_plot is None else [_class_index(what, c, names, ncls) for c in classes_to_plot]
    meta = {"names": names, "classes_to_plot": plot, "n": int(len(truth))}
    return cls(meta, [truth, probas], chart)


def _class_index(what: str, c: Any, names: list | None, ncls: int) -> int:
    if isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c < ncls:
        return int(c)
    if names is not None and c in names:
        return names.index(c)
    raise ValueError(f"tidelog.plot.{what}: classes_to_plot names class {c!r}, which is not a class of y_true")


class _CurveChart(_ComputedChart):
    def _warn_if_resampled(self, key: str) -> None:
        n, k = self._meta["n"], self._arrays[1].shape[1] if self._arrays[1].ndim == 2 else 2
        nplot = len(self._meta["classes_to_plot"]) if self._meta["classes_to_plot"] is not None else k
        if (n + 1) * nplot > MAX_ROWS:
            warn(f"tidelog.log: key {key!r}: the curve may have more than {MAX_ROWS} points; "
                 f"it is resampled to at most {MAX_ROWS} rows")


class _PRCurve(_CurveChart):
    _kind = "pr-curve"


class _ROCCurve(_CurveChart):
    _kind = "roc-curve"


class _ConfusionMatrix(_ComputedChart):
    _kind = "confusion-matrix"


def pr_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Media:
    """``wandb.plot.pr_curve``: precision against recall, one curve per class."""
    chart = {
        "spec_name": "wandb/area-under-curve/v0",
        "fields": {"x": "recall", "y": "precision", "class": "class"},
        "string_fields": {"title": title or "Precision v. Recall", "x-axis-title": "Recall", "y-axis-title": "Precision"},
        "split_table": bool(split_table),
    }
    return _curve_chart(_PRCurve, "pr_curve", y_true, y_probas, labels, classes_to_plot, chart)


def roc_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    title: str | None = None,
    split_table: bool = False,
) -> Media:
    """``wandb.plot.roc_curve``: true positive rate against false positive rate, per class."""
    chart = {
        "spec_name": "wandb/area-under-curve/v0",
        "fields": {"x": "fpr", "y": "tpr", "class": "class"},
        "string_fields": {
            "title": title or "ROC Curve",
            "x-axis-title": "False positive rate",
            "y-axis-title": "True positive rate",
        },
        "split_table": bool(split_table),
    }
    return _curve_chart(_ROCCurve, "roc_curve", y_true, y_probas, labels, classes_to_plot, chart)


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


def _curve_rows(meta: dict, arrays: list, points_fn: Any) -> list[list]:
    truth = np.asarray(arrays[0])
    probas = np.asarray(arrays[1], dtype=np.float64)
    if probas.ndim == 1:
        probas = np.stack([1.0 - probas, probas], axis=1)
    names = meta.get("names")
    classes = meta.get("classes_to_plot")
    classes = [int(c) for c in np.unique(truth)] if classes is None else classes
    curves = []
    for c in classes:
        pts = points_fn(truth == c, probas[:, c])
        if pts is not None:
            curves.append((names[c] if names else c, pts))
    budget = MAX_ROWS // max(len(curves), 1)
    rows = []
    for label, (xs, ys) in curves:
        keep = _resample(len(xs), budget)
        rows.extend([label, round(float(y), 3), round(float(x), 3)] for x, y in zip(xs[keep], ys[keep]))
    return rows


@register_encoder("pr-curve")
def encode_pr_curve(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: PR points per class -> table ``class, precision, recall`` -> chart."""
    rows = _curve_rows(meta, arrays, pr_points)
    return _chart_value(run_dir, table_file_value(run_dir, ["class", "precision", "recall"], rows), meta["chart"])


@register_encoder("roc-curve")
def encode_roc_curve(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: ROC points per class -> table ``class, fpr, tpr`` -> chart."""
    rows = [[c, x, y] for c, y, x in _curve_rows(meta, arrays, roc_points)]
    return _chart_value(run_dir, table_file_value(run_dir, ["class", "fpr", "tpr"], rows), meta["chart"])


def _labels_array(what: str, values: Any) -> np.ndarray:
    arr = _as_numpy(values)
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
    return _ConfusionMatrix(meta, arrays, chart)


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
    return _chart_value(run_dir, table, meta["chart"])


# -- matplotlib and plotly figures -----------------------------------------------------------


def from_figure(key: str, value: Any) -> Prepared:
    """Training side: a matplotlib figure / pyplot / Axes or a Plotly figure, serialized minimally."""
    mod = getattr(value, "__name__", None) if isinstance(value, type(sys)) else None
    if mod == "matplotlib.pyplot":
        value = value.gcf()
    tmod = type(value).__module__ or ""
    if tmod.startswith("plotly"):
        if not hasattr(value, "to_plotly_json"):
            raise TypeError(f"tidelog.log: key {key!r}: cannot log a {type(value).__name__} (expected a Plotly figure)")
        return Prepared("plotly", {}, [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)])
    fig = _matplotlib_figure(key, value)
    return Prepared("matplotlib", *_serialize_figure(fig))


def _matplotlib_figure(key: str, value: Any) -> Any:
    from matplotlib.figure import Figure

    if isinstance(value, Figure):
        return value
    fig = getattr(value, "figure", None)  # Axes and other artists
    if isinstance(fig, Figure):
        return fig
    raise TypeError(
        f"tidelog.log: key {key!r}: cannot log a {type(value).__name__}; "
        "pass a matplotlib Figure, matplotlib.pyplot, or wrap it in tidelog.Image"
    )


def _serialize_figure(fig: Any) -> tuple[dict, list]:
    """Pickle (cheap); PNG bytes from ``savefig`` when the figure will not pickle."""
    try:
        return {"format": "pickle"}, [pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)]
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return {"format": "png"}, [buf.getvalue()]


def _load_figure(data: bytes) -> Any:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # the sender has no display; unpickling may create a manager
    fig = pickle.loads(bytes(data))
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)  # unpickling registered it with pyplot: keep pyplot's state as it was
    return fig


def _to_plotly_json(fig: Any) -> bytes | None:
    """``mpl_to_plotly`` + ``to_json``; ``None`` when plotly is missing or cannot convert."""
    try:
        import plotly.io
        import plotly.tools
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lossy-conversion notes from mplexporter
            converted = plotly.tools.mpl_to_plotly(fig)
            return plotly.io.to_json(converted, validate=False).encode("utf-8")
    except Exception:  # noqa: BLE001 - any converter failure means: render a PNG instead
        return None


def _png_value(run_dir: Path, png: bytes) -> dict:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as im:
        width, height = im.size
    rel, digest, size = write_content_addressed(run_dir, "images", png, "png")
    return {
        "_type": "image-file",
        "path": rel,
        "sha256": digest,
        "size": size,
        "width": width,
        "height": height,
        "format": "png",
    }


def _plotly_value(run_dir: Path, body: bytes) -> dict:
    rel, digest, size = write_content_addressed(run_dir, "plotly", body, "plotly.json")
    return {"_type": "plotly-file", "path": rel, "sha256": digest, "size": size}


@register_encoder("matplotlib")
def encode_matplotlib(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: Plotly JSON when possible, else a PNG ``image-file``."""
    if meta["format"] == "png":
        return _png_value(run_dir, bytes(arrays[0]))
    fig = _load_figure(arrays[0])
    has_images = any(ax.images for ax in fig.axes)  # plotly's converter drops them (W&B: an image)
    body = None if has_images else _to_plotly_json(fig)
    if body is not None:
        return _plotly_value(run_dir, body)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return _png_value(run_dir, buf.getvalue())


@register_encoder("plotly")
def encode_plotly(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: the Plotly figure as JSON."""
    import plotly.io

    fig = pickle.loads(bytes(arrays[0]))
    return _plotly_value(run_dir, plotly.io.to_json(fig, validate=False).encode("utf-8"))
