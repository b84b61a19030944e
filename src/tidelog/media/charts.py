"""``tidelog.plot``: W&B's custom charts and figures, gathered from the modules that build them.

Modules (this one only gathers their public names for ``tidelog.plot``)::

    chart_specs   the shipped Vega-Lite specs, the stored chart value, ComputedChart
    presets       CustomChart, plot_table, line, scatter, bar, histogram, line_series
    curves        pr_curve, roc_curve (one Curve description each, shared logic)
    confusion     confusion_matrix
    figures       matplotlib and Plotly figures (from_figure), figure -> PNG

Custom charts (``line``, ``scatter``, ``bar``, ``histogram``, ``line_series``,
``pr_curve``, ``roc_curve``, ``confusion_matrix``, ``plot_table``) are a
``Table`` plus a Vega-Lite spec (see ``chart_specs``).

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
key itself.
"""

from __future__ import annotations

from tidelog.media.chart_specs import PRESET_SPECS, load_preset_spec, resolve_spec
from tidelog.media.confusion import confusion_matrix
from tidelog.media.curves import pr_curve, roc_curve
from tidelog.media.figures import from_figure
from tidelog.media.presets import CustomChart, bar, histogram, line, line_series, plot_table, scatter

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
