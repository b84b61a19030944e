"""``tidelog.plot`` presets over a ``Table`` and ``plot_table``: a table bound to a Vega-Lite spec.

``line``, ``scatter``, ``bar``, ``histogram``, ``line_series`` and
``plot_table`` return a ``CustomChart``: the table (packed as ``Table``
packs itself) and the spec name with its ``fields`` / ``string_fields``,
validated on the caller (a field bound to a column the table lacks is a
``ValueError`` naming both). The sender stores the table and the chart value
(``chart_specs.chart_value``; the value's layout is in ``tidelog.media.charts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import Media, Prepared, register_encoder
from tidelog.media.chart_specs import chart_value
from tidelog.media.table import Table
from tidelog.media.table_codec import encode_table_payload

__all__ = ["CustomChart", "plot_table", "line", "scatter", "bar", "histogram", "line_series"]


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
    return chart_value(run_dir, encode_table_payload(meta["table"], arrays, run_dir), meta["chart"])


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: dict,
    string_fields: dict | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A custom chart: ``data_table`` drawn by spec ``vega_spec_name``, ``fields`` naming its columns."""
    return CustomChart(vega_spec_name, data_table, fields, string_fields, split_table)


def line(table: Table, x: str, y: str, stroke: str | None = None, title: str = "",
         split_table: bool = False) -> CustomChart:
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
