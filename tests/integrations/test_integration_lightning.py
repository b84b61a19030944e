"""A real Lightning module (3 epochs, DataLoader worker processes) logging to tidelog.

Two ways: Lightning's own ``WandbLogger(offline=True)`` run unchanged under ``tidelog run``,
and tidelog's native ``TidelogLogger``. Lightning's ``CSVLogger`` runs beside either and
records every ``log_metrics`` call; the test compares the run read back through
``tidelog.Api`` with it, and the images and tables with what the script passed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from _integration_helpers import SCRIPTS, load_record, need, plain_row, run_script
from PIL import Image

import tidelog

STEP = "trainer/global_step"
MEDIA = ("samples", "preds", "clip")


@pytest.fixture(scope="module", params=["wandb", "native"])
def trained(request, tmp_path_factory):
    need("torch", "lightning")
    tmp = tmp_path_factory.mktemp(f"pl-{request.param}")
    record = tmp / "record.json"
    run_script([str(SCRIPTS / "pl_module.py"), request.param, str(tmp / "runs"), str(record), "2"], tmp,
               via_tidelog_run=request.param == "wandb")
    rec = load_record(record)
    run = tidelog.Api(dir=tmp / "runs").run(rec["run_id"])
    return request.param, rec, run


def _csv_rows(path: str) -> list[dict]:
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            step = int(row.pop("step"))
            values = {k: (int(float(v)) if k == "epoch" else float(v)) for k, v in row.items() if v != ""}
            rows.append({**values, STEP: step})
    return rows


def test_scalar_rows_are_what_lightning_logged(trained):
    mode, rec, run = trained
    expected = _csv_rows(rec["csv"])
    assert len(expected) >= 3 * 4 + 3  # train logs every 2 of 8 steps per epoch, plus a val row per epoch
    got = [plain_row(r) for r in run.scan_history() if not any(k in r for k in MEDIA)]
    assert got == expected
    assert {k for r in got for k in r} == {"train/loss", "val/loss", "epoch", STEP}


def test_hyperparameters_and_summary(trained):
    mode, rec, run = trained
    assert run.config == rec["hparams"] == {"lr": 0.05, "hidden": 8}
    scalars = _csv_rows(rec["csv"])
    assert run.summary["train/loss"] == [r for r in scalars if "train/loss" in r][-1]["train/loss"]
    assert run.summary["val/loss"] == [r for r in scalars if "val/loss" in r][-1]["val/loss"]
    assert run.summary[STEP] == scalars[-1][STEP]


def test_images_read_back_pixel_for_pixel(trained):
    mode, rec, run = trained
    rows = [r for r in run.scan_history() if "samples" in r]
    assert len(rows) == len(rec["images"]) == 3
    for row, sent in zip(rows, rec["images"]):
        value = row["samples"]
        assert value["_type"] == "images/separated" and value["captions"] == [sent["caption"]]
        assert row[STEP] == sent["step"]  # log_image(step=...) sets the step metric
        pixels = np.asarray(Image.open(Path(run.dir) / value["filenames"][0]))
        assert np.array_equal(pixels, np.array(sent["pixels"], np.uint8))


def test_audio_reads_back(trained):
    mode, rec, run = trained
    rows = [r for r in run.scan_history() if "clip" in r]
    assert [r[STEP] for r in rows] == [a["step"] for a in rec["audio"]] and len(rows) == 3
    for row in rows:
        value = row["clip"]  # a list of one clip: W&B's {"_type": "audio", "audio": [audio-file, ...]}
        assert value["_type"] == "audio" and value["sampleRates"] == [8000] and value["count"] == 1
        (clip,) = value["audio"]
        assert clip["_type"] == "audio-file" and clip["duration"] == 0.1
        assert (Path(run.dir) / clip["path"]).read_bytes()[:4] == b"RIFF"


def test_tables_read_back_cell_for_cell(trained):
    mode, rec, run = trained
    rows = [r for r in run.scan_history() if "preds" in r]
    assert len(rows) == len(rec["tables"]) == 3
    for row, sent in zip(rows, rec["tables"]):
        assert row["preds"]["_type"] == "table-file"
        table = json.loads((Path(run.dir) / row["preds"]["path"]).read_text())
        assert table["columns"] == sent["columns"] and table["data"] == sent["data"]
    assert run.summary["preds"]["path"] == rows[-1]["preds"]["path"]


def test_step_sync_fills_the_step_metric_of_rows_logged_without_it(trained):
    mode, rec, run = trained
    rows = [r for r in run.scan_history() if "preds" in r]
    assert [r.get(STEP) for r in rows] == [t["step"] for t in rec["tables"]]


def test_run_finishes_without_a_finish_call(trained):
    mode, rec, run = trained
    assert run.state == "finished"
    assert run.id == rec["run_id"] and run.name == "pl-tiny"
    assert run.project == ("pl" if mode == "wandb" else "pl-native")
    assert rec["run_type"] == "tidelog.api.run"  # WandbLogger's isinstance(init(), (Run, RunDisabled)) held


def test_ddp_spawn_workers_log_into_the_run_made_before_they_were_spawned(tmp_path):
    """``strategy="ddp_spawn"`` (2 CPU processes): Lightning makes the run in the launching process and the
    workers attach to it (``wandb._attach``); what rank 0 logged is the run's, as CSVLogger recorded it."""
    need("torch", "lightning")
    record = tmp_path / "record.json"
    run_script([str(SCRIPTS / "pl_ddp_spawn.py"), str(tmp_path / "runs"), str(record)], tmp_path,
               via_tidelog_run=True)
    rec = load_record(record)
    run = tidelog.Api(dir=tmp_path / "runs").run(rec["run_id"])
    expected = _csv_rows(rec["csv"])
    assert len(expected) == 8   # 2 epochs of 4 batches per rank
    assert [plain_row(r) for r in run.scan_history()] == expected
    assert run.config == {"lr": 0.05} and run.summary["last_epoch"] == 1 and run.state == "finished"
