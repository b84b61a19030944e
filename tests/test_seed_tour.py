"""``examples/seed_tour.py`` (every example of W&B's ``wandb.log()`` page) runs and stores every media type.

The tour runs as a user runs it, in its own interpreter, into ``tmp_path``;
the run is then read back through ``tidelog.Api`` here: each ``_type`` the
page covers appears in the history or summary, every file a value names
exists with the size and sha256 the value records, and the custom charts
carry their panel config.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tidelog

TOUR = Path(__file__).resolve().parents[1] / "examples" / "seed_tour.py"

pytestmark = pytest.mark.timeout(120)

# Every media type the page covers, as tidelog stores it.
EXPECTED_TYPES = {
    "histogram",        # wandb.Histogram, also np_histogram= in the summary
    "image-file",       # wandb.Image (PNG, JPEG file)
    "images/separated",  # a list of images under one key
    "mask",             # segmentation masks
    "boxes2D",          # bounding boxes
    "audio",            # a list of clips
    "audio-file",
    "video-file",       # array as gif (and mp4), a video file
    "table-file",       # tables and custom charts
    "html-file",
    "molecule-file",
    "object3D-file",    # obj / gltf / glb, point clouds, the lidar scene
    "array-file",       # Api().run(...).summary["tensor"] = array; update()
}


def _walk(value, out: list[dict]) -> None:
    """Every dict with a ``_type`` in ``value``, nested ones too."""
    if isinstance(value, dict):
        if isinstance(value.get("_type"), str):
            out.append(value)
        for v in value.values():
            _walk(v, out)
    elif isinstance(value, list):
        for v in value:
            _walk(v, out)


@pytest.fixture(scope="module")
def tour(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("tour")
    proc = subprocess.run([sys.executable, str(TOUR), "--dir", str(base), "--json"],
                          capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    run = tidelog.Api(dir=str(base)).run(Path(report["dir"]).name.rsplit("-", 1)[-1])
    rows = list(run.scan_history())
    return {"proc": proc, "report": report, "run": run, "rows": rows}


def test_prints_what_it_stored(tour) -> None:
    out, report = tour["proc"].stdout, tour["report"]
    assert f"run directory: {report['dir']}" in out
    assert "state: finished" in out and report["state"] == "finished"
    assert f"history rows: {len(tour['rows'])}" in out
    assert "summary keys: " in out and "media types: " in out
    assert Path(report["dir"]).is_dir()


def test_every_media_type_of_the_page_is_stored(tour) -> None:
    values: list[dict] = []
    for row in tour["rows"]:
        _walk(row, values)
    _walk(dict(tour["run"].summary), values)
    types = {v["_type"] for v in values}
    missing = EXPECTED_TYPES - types
    assert not missing, f"not stored: {sorted(missing)} (stored: {sorted(types)})"
    # the matplotlib chart: Plotly JSON when plotly converts it, else a PNG
    chart = [r["chart"] for r in tour["rows"] if "chart" in r]
    assert chart and chart[0]["_type"] in ("plotly-file", "image-file")
    assert set(tour["report"]["types"]) >= EXPECTED_TYPES


def test_every_referenced_file_exists(tour) -> None:
    run_dir = Path(tour["run"].dir)
    values: list[dict] = []
    for row in tour["rows"]:
        _walk(row, values)
    _walk(dict(tour["run"].summary), values)
    paths = [v for v in values if "path" in v]
    assert len(paths) >= 30
    for v in paths:
        data = (run_dir / v["path"]).read_bytes()
        assert len(data) == v["size"], v
        assert hashlib.sha256(data).hexdigest() == v["sha256"], v
    for row in tour["rows"]:  # list values name their files in "filenames"
        for v in row.values():
            if isinstance(v, dict) and v.get("_type") == "images/separated":
                assert all((run_dir / p).is_file() for p in v["filenames"])


def test_custom_charts_keep_their_panel_config(tour) -> None:
    last = {}
    for row in tour["rows"]:
        last.update(row)
    presets = {
        "my_custom_plot_id": "wandb/line/v0",
        "my_custom_id": "wandb/scatter/v0",
        "my_bar_chart_id": "wandb/bar/v0",
        "my_histogram": "wandb/histogram/v0",
        "pr": "wandb/area-under-curve/v0",
        "roc": "wandb/area-under-curve/v0",
        "my_custom_chart": "carey/new_chart",
    }
    run_dir = Path(tour["run"].dir)
    for key, spec in presets.items():
        v = last[key]
        assert v["_type"] == "table-file" and v["panel_type"] == "Vega2", key
        assert v["panel_config"]["panelDefId"] == spec, key
        assert (run_dir / v["path"]).is_file()
        if spec.startswith("wandb/"):
            assert (run_dir / v["vega_spec"]["path"]).is_file(), key
    assert last["my_custom_chart"]["panel_config"]["fieldSettings"] == {"x": "step", "value": "height"}
    assert last["my_custom_chart"]["vega_spec"] is None  # a saved preset tidelog does not ship


def test_page_semantics(tour) -> None:
    rows, summary = tour["rows"], tour["run"].summary
    assert rows[0]["accuracy"] == 0.9 and rows[0]["epoch"] == 5
    # summary: set by hand, np_histogram= kept over the last logged histogram, array kept whole
    assert summary["best_accuracy"] == 0.9
    assert summary["gradients"]["_type"] == "histogram" and len(summary["gradients"]["bins"]) == 11
    assert summary["tensor"]["_type"] == "array-file" and summary["tensor"]["shape"] == [1000]
    # run.history.row and run.history.add landed in one row
    direct = [r for r in rows if "direct_metric" in r]
    assert len(direct) == 1 and direct[0]["direct_other"] == 2.0
    # commit=False then a plain log(): one row holds both
    assert any(r.get("loss") == 0.2 and r.get("accuracy") == 0.8 for r in rows)
    # custom x-axes
    assert any(r.get("global_step") == 1 and r.get("acc") == 1 for r in rows)
    assert any(r.get("batch") == 10 and r.get("acc") == 1 for r in rows)
    # the lidar scene as the page writes it (object array of boxes, colour 321 kept)
    scene = next(r["point_scene"] for r in rows if "point_scene" in r)
    body = json.loads((Path(tour["run"].dir) / scene["path"]).read_bytes())
    assert body["type"] == "lidar/beta" and len(body["boxes"]) == 2
    assert body["boxes"][0]["color"] == [123, 321, 111] and body["vectors"][0]["end"] == [0.1, 0.2, 0.5]
    # the three 3-D model files
    samples = next(r["generated_samples"] for r in rows if "generated_samples" in r)
    assert sorted(i["path"].rsplit(".", 1)[-1] for i in samples["items"]) == ["glb", "gltf", "obj"]
    # JPEG kept as JPEG
    jpeg = next(r["jpeg_example"] for r in rows if "jpeg_example" in r)
    assert jpeg["format"] == "jpg" and jpeg["path"].endswith(".jpg")
    # the page's last example: "Examples" differs from "examples" only by case, so that key is
    # refused with a warning (the page's own note on names) and the rest of the call lands
    assert "'Examples' differs from the existing key 'examples' only by case" in tour["proc"].stderr
    last = next(r for r in reversed(rows) if "Test Accuracy" in r)
    assert last["Test Accuracy"] == 97.0 and last["Test Loss"] == 0.08 and "Examples" not in last
