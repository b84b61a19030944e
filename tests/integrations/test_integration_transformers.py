"""The real transformers ``Trainer`` (tiny BERT, random weights, 30 steps) logging to tidelog.

Two ways: ``report_to=["wandb"]`` run unchanged under ``tidelog run`` (transformers' own
``WandbCallback`` talking to tidelog as ``wandb``), and tidelog's native ``TidelogCallback``.
Each compares the run read back through ``tidelog.Api`` with what the Trainer recorded
(``state.log_history``, the config it reported). Neither script calls ``finish()``.
"""

from __future__ import annotations

import json
import math

import pytest
from _integration_helpers import SCRIPTS, load_record, need, plain_row, run_script

import tidelog

SUMMARY_ONLY = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos")


def _rewrite(entry: dict) -> dict:
    out = {}
    for k, v in entry.items():
        if k == "step" or k in SUMMARY_ONLY:
            continue
        for prefix in ("eval_", "test_"):
            if k.startswith(prefix):
                out[f"{prefix[:-1]}/{k[len(prefix):]}"] = v
                break
        else:
            out[f"train/{k}"] = v
    out["train/global_step"] = entry["step"]
    return out


@pytest.fixture(scope="module", params=["wandb", "native"])
def trained(request, tmp_path_factory):
    need("torch", "transformers", "accelerate")
    tmp = tmp_path_factory.mktemp(f"hf-{request.param}")
    record = tmp / "record.json"
    run_script([str(SCRIPTS / "hf_trainer.py"), request.param, str(tmp / "runs"), str(record)], tmp,
               via_tidelog_run=request.param == "wandb")
    rec = load_record(record)
    run = tidelog.Api(dir=tmp / "runs").run(rec["run_id"])
    return request.param, rec, run


def test_every_logged_row_reads_back_in_order(trained):
    mode, rec, run = trained
    history = rec["log_history"]
    assert len(history) == 30 // 5 + 30 // 10 + 1  # train logs, evaluations, the end-of-training entry
    expected = [_rewrite(e) for e in history]
    got = [plain_row(r) for r in run.scan_history()]
    assert got == expected
    steps = [r["train/global_step"] for r in got]
    assert steps == sorted(steps) and steps[-1] == 30
    assert {k.split("/")[0] for r in got for k in r} == {"train", "eval"}


def test_summary_holds_the_end_of_training_figures_and_last_values(trained):
    mode, rec, run = trained
    final = rec["log_history"][-1]
    for k in SUMMARY_ONLY:
        assert run.summary[k] == final[k], k
    last_eval = [e for e in rec["log_history"] if "eval_loss" in e][-1]
    assert run.summary["eval/loss"] == last_eval["eval_loss"]
    last_train = [e for e in rec["log_history"] if "loss" in e][-1]
    assert run.summary["train/loss"] == last_train["loss"]
    assert run.summary["train/global_step"] == 30


def test_config_is_what_the_trainer_reported(trained):
    mode, rec, run = trained
    config = rec["config"]
    assert run.config["model/num_parameters"] == config["model/num_parameters"] > 0
    for k in ("learning_rate", "max_steps", "per_device_train_batch_size", "hidden_size", "vocab_size",
              "logging_steps", "eval_steps", "run_name"):
        assert run.config[k] == config[k], k
    missing = sorted(set(config) - set(run.config))
    assert not missing
    # Config values are stored as JSON, as W&B stores them: int dict keys (id2label) become strings.
    differ = {k: (run.config[k], v) for k, v in config.items()
              if run.config[k] != json.loads(json.dumps(v)) and not (isinstance(v, float) and math.isnan(v))}
    assert not differ
    assert run.config["id2label"] == {"0": "LABEL_0", "1": "LABEL_1"}


def test_run_finishes_without_a_finish_call(trained):
    mode, rec, run = trained
    assert run.state == "finished"
    assert run.id == rec["run_id"]
    assert run.name == "hf-tiny"
    assert run.project == ("huggingface" if mode == "wandb" else "hf-native")
