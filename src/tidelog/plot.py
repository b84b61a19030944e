"""``tidelog.plot``: W&B's chart presets (``wandb.plot.*``).

Each returns a value for ``log()``: a table plus a Vega-Lite spec (see
``tidelog.media.charts`` for what is stored). ``plot_table`` draws a table
with any spec name::

    tidelog.log({"pr": tidelog.plot.pr_curve(y_true, y_probas, labels=["cat", "dog"])})
"""

from __future__ import annotations

from tidelog.media.charts import (
    bar,
    confusion_matrix,
    histogram,
    line,
    line_series,
    plot_table,
    pr_curve,
    roc_curve,
    scatter,
)

__all__ = [
    "line",
    "scatter",
    "bar",
    "histogram",
    "line_series",
    "pr_curve",
    "roc_curve",
    "confusion_matrix",
    "plot_table",
]
