"""End to end: histograms, tables, charts and arrays logged in a run, read back through tidelog.Api.

Skipped until the pipeline (``tidelog.init`` / ``tidelog.Api``) exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tidelog

pytestmark = pytest.mark.skipif(
    not (hasattr(tidelog, "init") and hasattr(tidelog, "Api")),
    reason="tidelog.init / tidelog.Api not built yet",
)


def _file(run, value: dict) -> Path:
    path = Path(run.dir) / value["path"]
    assert path.is_file(), path
    return path


def test_log_and_read_back(tmp_path):
    data = np.random.default_rng(0).normal(size=1000)
    run = tidelog.init(project="demo", dir=str(tmp_path), mode="offline")
    run.log(
        {
            "gradients": tidelog.Histogram(data),
            "examples": tidelog.Table(columns=["text", "label"], data=[["good", 1], ["bad", 0]]),
            "pr": tidelog.plot.pr_curve([0, 0, 1, 1], [[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]]),
            "weights": np.arange(40, dtype=np.float64),
            "few": np.arange(3),
        }
    )
    run.summary["tensor"] = np.arange(100, dtype=np.float64)
    run_id = run.id
    run.finish()

    r = tidelog.Api(dir=str(tmp_path)).run(f"demo/{run_id}")
    row = next(iter(r.scan_history()))
    counts, edges = np.histogram(data, bins=64)
    assert row["gradients"] == {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}
    table = json.loads(_file(r, row["examples"]).read_text())
    assert table == {"columns": ["text", "label"], "data": [["good", 1], ["bad", 0]]}
    assert row["pr"]["panel_config"]["panelDefId"] == "wandb/area-under-curve/v0"
    assert json.loads(_file(r, row["pr"]).read_text())["columns"] == ["class", "precision", "recall"]
    assert row["weights"]["_type"] == "histogram" and len(row["weights"]["values"]) == 32
    assert row["few"] == [0, 1, 2]
    summary = r.summary["tensor"]
    assert summary["_type"] == "array-file" and summary["max"] == 99.0
    np.testing.assert_array_equal(np.load(_file(r, summary)), np.arange(100, dtype=np.float64))
