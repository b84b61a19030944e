"""What every custom chart shares: the Vega-Lite specs, the stored chart value, charts computed on the sender.

The built-in specs ship as Vega-Lite v5 JSON in ``tidelog/media/vega/`` with
``data: {"name": "table"}`` (the table's rows are that data set) and W&B's
placeholders ``${field:NAME}`` (bound by ``fields`` to a table column) and
``${string:NAME}`` (from ``string_fields``). ``chart_value`` turns a stored
table's ``table-file`` value into the chart's history value (see
``tidelog.media.charts``), writing the spec with every placeholder resolved
(a channel bound to ``None``, e.g. ``stroke=None``, is dropped) as
``media/vega/<sha>.vega.json``; ``vega_spec`` is ``None`` for a spec name
tidelog does not ship, where only ``panel_config`` records the binding.

``ComputedChart`` is the data type of a chart whose table the sender computes
from arrays (PR / ROC curves, confusion matrices).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from tidelog.media.base import Media, Prepared
from tidelog.media.files import snapshot, store_file

__all__ = ["PRESET_SPECS", "load_preset_spec", "resolve_spec", "chart_value", "ComputedChart"]

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
    text = resources.files("tidelog.media").joinpath("vega").joinpath(fname).read_text(encoding="utf-8")
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


def chart_value(run_dir: Path, table_value: dict, chart: dict) -> dict:
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
        value["vega_spec"] = store_file(run_dir, "vega", body.encode("utf-8"), "vega.json")
    return value


class ComputedChart(Media):
    """A chart whose table is computed from arrays in the encoder."""

    def __init__(self, kind: str, meta: dict, arrays: list, chart: dict) -> None:
        self._kind = kind
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
