"""W&B ``wandb.log()`` semantics (W&B's wandb.log() page, docs/design.md section 3), end to end.

Every test runs the real pipeline: ``tidelog.init(dir=tmp_path)``, the
spawned sender, ``finish()``, then ``tidelog.Api(dir=tmp_path)`` reads the
run back from its WAL. Where the seed has an example, the test uses it.
"""

from __future__ import annotations

import argparse
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from _api_helpers import logged, user_summary

import tidelog
from tidelog.errors import ConfigError, RunNotFoundError, TidelogWarning, UsageError
from tidelog.read.run import RunState


def _live(tmp_path, run, timeout_s: float = 10.0):
    """The live run through the Api, once the sender has written its start to the WAL."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return tidelog.Api(dir=str(tmp_path)).run(f"{run.project}/{run.id}")
        except RunNotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _no_tidelog_warnings():
    """A context in which any TidelogWarning fails the test."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error", TidelogWarning)
    return ctx


# -- steps and commit --------------------------------------------------------------


def test_each_log_call_is_a_new_step(start, read_back):
    run = start()
    assert run.step == 0
    run.log({"acc": 0.9, "epoch": 5})  # the seed's usage example
    run.log({"acc": 0.95, "epoch": 6})
    assert run.step == 2
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 0, "acc": 0.9, "epoch": 5},
        {"_step": 1, "acc": 0.95, "epoch": 6},
    ]


def test_commit_false_accumulates_into_one_row(start, read_back):
    run = start()
    run.log({"loss": 0.2}, commit=False)
    assert run.step == 0
    # Somewhere else when I'm ready to report this step:
    run.log({"accuracy": 0.8})
    assert run.step == 1
    run.log({"loss": 0.1})
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 0, "loss": 0.2, "accuracy": 0.8},
        {"_step": 1, "loss": 0.1},
    ]


def test_commit_false_twice_later_value_wins(start, read_back):
    run = start()
    run.log({"loss": 0.3}, commit=False)
    run.log({"loss": 0.2, "lr": 1e-3}, commit=False)
    run.log({})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "loss": 0.2, "lr": 1e-3}]


def test_explicit_step_merges_until_a_larger_step(start, read_back):
    run = start()
    run.log({"loss": 0.2}, step=5)
    run.log({"acc": 0.7}, step=5)
    assert run.step == 5
    run.log({"loss": 0.1}, step=6)  # a different step: the row at 5 is complete
    run.log({"acc": 0.8}, step=6)
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 5, "loss": 0.2, "acc": 0.7},
        {"_step": 6, "loss": 0.1, "acc": 0.8},
    ]


def test_smaller_step_is_refused_with_a_warning_and_nothing_else_changes(start, read_back):
    run = start()
    run.log({"loss": 0.2}, step=5)
    with pytest.warns(TidelogWarning) as caught:
        run.log({"late_metric": 1.0}, step=3)
    message = str(caught[0].message)
    assert "late_metric" in message and "3" in message and "5" in message
    assert run.step == 5
    run.log({"acc": 0.7})  # still step 5, and this call commits it
    assert run.step == 6
    run.log({"loss": 0.1})
    run.finish()
    r = read_back(run)
    assert logged(r) == [{"_step": 5, "loss": 0.2, "acc": 0.7}, {"_step": 6, "loss": 0.1}]
    assert "late_metric" not in r.summary


def test_step_with_commit_true_closes_the_row(start, read_back):
    run = start()
    run.log({"a": 1}, step=3, commit=True)
    assert run.step == 4
    run.log({"b": 2})  # lands at 4, not merged into 3
    run.log({"c": 3}, step=7, commit=False)
    assert run.step == 7
    run.log({"d": 4}, step=7, commit=True)
    assert run.step == 8
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 3, "a": 1},
        {"_step": 4, "b": 2},
        {"_step": 7, "c": 3, "d": 4},
    ]


def test_commit_false_then_larger_step_keeps_both_rows(start, read_back):
    run = start()
    run.log({"a": 1}, commit=False)
    run.log({"b": 2}, step=3)
    run.log({"c": 3})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "a": 1}, {"_step": 3, "b": 2, "c": 3}]


def test_numpy_integer_step(start, read_back):
    run = start()
    run.log({"a": 1.0}, step=np.int64(2))
    run.log({"a": 2.0}, step=np.int32(3))
    run.finish()
    assert [row["_step"] for row in logged(read_back(run))] == [2, 3]


# -- any key as an x-axis ------------------------------------------------------------


def test_custom_x_axes_are_ordinary_columns(start, read_back):
    run = start()
    m = run.define_metric("val/*", step_metric="epoch")
    assert (m.name, m.step_metric) == ("val/*", "epoch")
    for epoch in range(3):
        run.log({"acc": 1, "global_step": epoch * 10})                 # the seed's custom x-axis
        run.log({"acc": 1, "batch": 10 * epoch}, step=run.step)        # `step=epoch` style, any step
        run.log({"epoch": epoch, "val_acc": 0.94, "val/loss": 1.0 / (epoch + 1)})
    run.finish()
    r = read_back(run)
    df = r.history(samples=100)
    assert isinstance(df, pd.DataFrame)
    for column in ("global_step", "batch", "epoch", "val/loss"):
        assert column in df.columns
    assert [row["global_step"] for row in r.scan_history(keys=["global_step"])] == [0, 10, 20]
    assert [row["epoch"] for row in r.scan_history(keys=["epoch"])] == [0, 1, 2]
    metric = RunState.load(r.dir).metrics["val/*"]
    assert metric.step_metric == "epoch" and metric.step_sync


# -- summary ---------------------------------------------------------------------------


def test_summary_is_the_last_logged_value(start, read_back):
    run = start()
    for loss in (3.0, 2.0, 2.5):
        run.log({"loss": loss, "note": f"loss {loss}"})
    assert run.summary["loss"] == 2.5 and run.summary["note"] == "loss 2.5"
    run.finish()
    summary = read_back(run).summary
    assert summary["loss"] == 2.5 and summary["note"] == "loss 2.5"


def test_seed_best_accuracy_loop(start, read_back):
    args = argparse.Namespace(epochs=4, lr=0.01)
    accuracies = iter([0.5, 0.8, 0.7, 0.6])

    def test():
        return 1.0, next(accuracies)

    wandb = tidelog
    run = start(config=args)
    best_accuracy = 0
    for epoch in range(1, args.epochs + 1):
        test_loss, test_accuracy = test()
        wandb.log({"test_accuracy": test_accuracy, "test_loss": test_loss})
        if test_accuracy > best_accuracy:
            wandb.run.summary["best_accuracy"] = test_accuracy
            best_accuracy = test_accuracy
    assert run.summary["best_accuracy"] == 0.8
    run.finish()
    r = read_back(run)
    assert r.summary["best_accuracy"] == 0.8
    assert r.summary["test_accuracy"] == 0.6
    assert r.config == {"epochs": 4, "lr": 0.01}


def test_user_set_summary_wins_over_later_logs(start, read_back):
    run = start()
    run.log({"acc": 0.1})
    run.summary["acc"] = 0.99
    run.log({"acc": 0.2})
    assert run.summary["acc"] == 0.99
    run.finish()
    assert read_back(run).summary["acc"] == 0.99


def test_user_set_summary_of_another_type_is_not_a_type_change(start, read_back):
    run = start()
    ctx = _no_tidelog_warnings()
    try:
        run.log({"acc": 0.5})
        run.summary["acc"] = {"max": 0.9, "epoch": 3}   # a history number, a summary dict
        run.summary["loss"] = "n/a"                      # set before any log of "loss"
        run.log({"loss": 1.0})                           # still a plain number key in history
    finally:
        ctx.__exit__(None, None, None)
    assert user_summary(run.summary) == {"acc": {"max": 0.9, "epoch": 3}, "loss": "n/a"}
    run.finish()
    r = read_back(run)
    assert logged(r) == [{"_step": 0, "acc": 0.5}, {"_step": 1, "loss": 1.0}]
    assert user_summary(r.summary) == {"acc": {"max": 0.9, "epoch": 3}, "loss": "n/a"}


def test_summary_update_and_delete(start, read_back):
    run = start()
    run.log({"loss": 1.0, "tmp": 5})
    run.summary.update({"final_acc": 0.93, "model": "resnet", "layers": [64, 128]})
    run.summary.update(extra=1)
    del run.summary["tmp"]          # a logged key
    del run.summary["extra"]        # a user-set key
    with pytest.raises(KeyError):
        del run.summary["never_there"]
    assert "tmp" not in run.summary and "extra" not in run.summary
    run.finish()
    summary = read_back(run).summary
    assert user_summary(summary) == {"loss": 1.0, "final_acc": 0.93, "model": "resnet", "layers": [64, 128]}


def test_deleted_summary_key_comes_back_when_logged_again(start, read_back):
    run = start()
    run.log({"g": 1.0})
    del run.summary["g"]
    for g in (2.0, 3.0, 4.0):  # consecutive rows: the sender stores them as one block
        run.log({"g": g})
    run.log({"h": 1.0})
    del run.summary["h"]
    with pytest.warns(TidelogWarning, match="'h'"):
        run.log({"h": "again"})  # a slow-path row (stored apart: h was a number)
    run.finish()
    summary = read_back(run).summary
    assert summary["g"] == 4.0
    assert "h" not in summary and summary["h (string)"] == "again"


def test_numpy_array_in_summary_is_kept_whole_with_stats(start, read_back):
    tensor = np.random.default_rng(1).random(1000)
    run = start()
    run.log({"loss": 0.5})
    run.summary["tensor"] = tensor
    run.summary["scalar"] = np.float32(2.5)  # a numpy scalar is a number, not a file
    tensor[:] = -1  # the summary keeps what was set, not later changes
    run.finish()
    r = read_back(run)
    value = r.summary["tensor"]
    original = np.random.default_rng(1).random(1000)
    assert value["path"].startswith("media/") and value["path"].endswith(".npy")
    np.testing.assert_array_equal(np.load(f"{r.dir}/{value['path']}"), original)
    assert value["min"] == pytest.approx(original.min())
    assert value["max"] == pytest.approx(original.max())
    assert value["mean"] == pytest.approx(original.mean())
    assert value["var"] == pytest.approx(original.var())
    assert value["p95"] == pytest.approx(np.percentile(original, 95))
    assert r.summary["scalar"] == 2.5 and r.summary["loss"] == 0.5


@pytest.mark.parametrize(
    ("how", "goal", "expected"),
    [
        ("max", None, {"max": 0.9}),
        ("min", None, {"min": 0.5}),
        ("mean", None, {"mean": pytest.approx(0.7)}),
        ("min,max", None, {"min": 0.5, "max": 0.9}),
        ("best", "maximize", {"best": 0.9}),
        ("best", "minimize", {"best": 0.5}),
    ],
)
def test_define_metric_summary(start, read_back, how, goal, expected):
    run = start()
    run.define_metric("acc", summary=how, goal=goal)
    for acc in (0.5, 0.9, 0.7):
        run.log({"acc": acc, "other": acc})
    run.finish()
    r = read_back(run)
    assert r.summary["acc"] == expected
    assert r.summary["other"] == 0.7
    assert RunState.load(r.dir).metrics["acc"].goal == (goal or "")


def test_define_metric_rejects_bad_arguments(start):
    run = start()
    with pytest.raises(ValueError, match="summary"):
        run.define_metric("acc", summary="median")
    with pytest.raises(ValueError, match="goal"):
        run.define_metric("acc", goal="up")


def test_seed_summary_set_after_the_run(start, read_back, tmp_path):
    run = start()
    run.log({"loss": 0.5})
    run.finish()

    api = tidelog.Api(dir=str(tmp_path))
    finished = api.run(f"sem/{run.id}")
    finished.summary["tensor"] = np.random.random(1000)
    finished.summary.update()

    again = read_back(run)
    value = again.summary["tensor"]
    assert value["_type"] == "array-file" and 0.0 <= value["min"] <= value["p95"] <= value["max"] <= 1.0
    assert np.load(f"{again.dir}/{value['path']}").shape == (1000,)
    assert again.summary["loss"] == 0.5
    assert again.state == "finished"
    assert logged(again) == [{"_step": 0, "loss": 0.5}]


def test_summary_of_a_running_run_cannot_be_set_through_the_api(start, read_back, tmp_path):
    run = start()
    run.log({"loss": 0.5})
    live = _live(tmp_path, run)
    assert live.state == "running"
    live.summary["x"] = 1
    with pytest.raises(UsageError, match="running"):
        live.summary.update()
    run.log({"loss": 0.4})
    run.finish()
    r = read_back(run)
    assert "x" not in r.summary and r.summary["loss"] == 0.4


# -- keys: case, types, bad input ---------------------------------------------------------


def test_case_insensitive_collision_is_refused(start, read_back):
    """The colliding key is refused with a warning naming both; the rest of the call and the run go on."""
    run = start()
    run.log({"My-Metric": 1.0})
    with pytest.warns(TidelogWarning, match=r"'my-metric' differs from the existing key 'My-Metric' only by case"):
        run.log({"my-metric": 2.0, "other": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per key, not on every call
        run.log({"my-metric": 5.0, "other": 1.5})
    with pytest.warns(TidelogWarning, match="'MY-METRIC'"):
        run.summary["MY-METRIC"] = 3.0
    run.log({"My-Metric": 2.0, "other": 1.0})  # the run goes on
    run.finish()
    r = read_back(run)
    assert logged(r) == [{"_step": 0, "My-Metric": 1.0}, {"_step": 1, "other": 1.0},
                         {"_step": 2, "other": 1.5}, {"_step": 3, "My-Metric": 2.0, "other": 1.0}]
    assert user_summary(r.summary) == {"My-Metric": 2.0, "other": 1.0}


def test_another_type_under_a_key_is_stored_apart(start, read_back):
    run = start()
    run.log({"loss": 0.5})
    with pytest.warns(TidelogWarning, match=r"'loss'.*'loss \(string\)'"):
        run.log({"loss": "diverged"})
    ctx = _no_tidelog_warnings()
    try:
        run.log({"loss": "still diverged"})  # warned once per key and type
        run.log({"loss": 0.4})
    finally:
        ctx.__exit__(None, None, None)
    assert run.summary["loss"] == 0.4 and run.summary["loss (string)"] == "still diverged"
    run.finish()
    r = read_back(run)
    assert [row.get("loss") for row in logged(r)] == [0.5, None, None, 0.4]
    assert [row["loss (string)"] for row in r.scan_history(keys=["loss (string)"])] == [
        "diverged", "still diverged"]
    assert r.summary["loss"] == 0.4 and r.summary["loss (string)"] == "still diverged"


def test_bool_and_number_are_different_types(start, read_back):
    run = start()
    run.log({"flag": 1})
    with pytest.warns(TidelogWarning, match="flag"):
        run.log({"flag": True})
    run.finish()
    assert logged(read_back(run), keep_step=False) == [{"flag": 1}, {"flag (bool)": True}]


def test_ints_and_floats_share_a_key(start, read_back):
    ctx = _no_tidelog_warnings()
    try:
        run = start()
        run.log({"m": 1})
        run.log({"m": 1.5})
        run.log({"m": np.int64(2)})
        run.finish()
    finally:
        ctx.__exit__(None, None, None)
    assert [row["m"] for row in logged(read_back(run))] == [1, 1.5, 2]


def test_nan_and_infinities_are_kept(start, read_back):
    run = start()
    run.log({"x": float("nan"), "y": float("inf"), "z": -float("inf")})           # fast path
    run.log({"x": np.float32("nan"), "y": np.inf, "z": -np.inf, "s": "slow path"})  # library path
    run.log({"v": [float("nan"), float("inf")]})                                     # inside JSON
    run.finish()
    r = read_back(run)
    rows = logged(r)
    for row in rows[:2]:
        assert math.isnan(row["x"]) and row["y"] == math.inf and row["z"] == -math.inf
    assert math.isnan(rows[2]["v"][0]) and rows[2]["v"][1] == math.inf
    assert math.isnan(r.summary["x"]) and r.summary["z"] == -math.inf


@pytest.mark.parametrize("key", [1, 2.5, ("a", "b"), None, b"loss"])
def test_non_string_key_is_a_type_error_naming_it(start, read_back, key):
    run = start()
    run.log({"before": 1.0})
    with pytest.raises(TypeError, match=repr(key).replace("(", r"\(").replace(")", r"\)")):
        run.log({key: 1.0})
    with pytest.raises(TypeError, match="keys must be strings"):
        run.log({"fine": "x", key: "y"})
    run.log({"after": 2.0})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "before": 1.0}, {"_step": 1, "after": 2.0}]


@pytest.mark.parametrize("bad", [object(), {1, 2}, b"raw bytes", lambda: 0], ids=["object", "set", "bytes", "lambda"])
def test_unsupported_value_is_a_type_error_and_the_run_goes_on(start, read_back, bad):
    run = start()
    run.log({"loss": 0.5})
    with pytest.raises(TypeError, match="'weird'"):
        run.log({"good": 1.0, "weird": bad})
    assert run.step == 1
    run.log({"loss": 0.4})
    run.finish()
    r = read_back(run)
    assert logged(r) == [{"_step": 0, "loss": 0.5}, {"_step": 1, "loss": 0.4}]
    assert "good" not in r.summary and "weird" not in r.summary


def test_a_refused_call_leaves_no_type_behind(start, read_back):
    run = start()
    with pytest.raises(TypeError):
        run.log({"k": "text", "bad": object()})
    ctx = _no_tidelog_warnings()
    try:
        run.log({"k": 1.0})  # k was never logged: numbers are its first type
    finally:
        ctx.__exit__(None, None, None)
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "k": 1.0}]


def test_log_needs_a_dict(start):
    run = start()
    with pytest.raises(TypeError, match="dict"):
        run.log([("a", 1)])


# -- config ---------------------------------------------------------------------------------


def test_config_item_and_attribute_access(start, read_back):
    run = start(config={"lr": 0.1, "layers": [64, 64]})
    assert run.config.lr == 0.1 and run.config["layers"] == [64, 64]
    run.config.batch_size = 32
    run.config["dropout"] = 0.5
    run.config.update({"epochs": 10}, allow_val_change=True)
    run.config.update(argparse.Namespace(optimizer="adam"))
    assert run.config["batch_size"] == 32 and run.config.epochs == 10 and "optimizer" in run.config
    with pytest.raises(AttributeError):
        run.config.missing
    with pytest.raises(KeyError):
        run.config["missing"]
    run.finish()
    assert read_back(run).config == {"lr": 0.1, "layers": [64, 64], "batch_size": 32, "dropout": 0.5,
                                     "epochs": 10, "optimizer": "adam"}


def test_config_from_argparse_namespace(start, read_back):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args(["--epochs", "7"])
    run = start(config=args)
    assert run.config.epochs == 7 and tidelog.config.lr == 0.01
    run.finish()
    assert read_back(run).config == {"epochs": 7, "lr": 0.01}


def test_a_failing_config_update_changes_nothing(start, read_back):
    run = start(config={"lr": 0.1})
    with pytest.raises(TypeError, match="'bad'"):
        run.config.update({"fine": 1, "bad": object()})
    with pytest.raises(TypeError, match="keys must be strings"):
        run.config.update({2: "x"})
    assert "fine" not in run.config
    run.finish()
    assert read_back(run).config == {"lr": 0.1}


def test_changing_a_set_config_value_needs_allow_val_change(start, read_back):
    """W&B's rule: a value once set changes only on request; otherwise ConfigError (which transformers
    catches, importing it from wandb.sdk.lib.config_util) names the key, and nothing of that call applies."""
    run = start(config={"lr": 0.1, "layers": [64, 64]})
    run.config.update({"lr": 0.1, "layers": [64, 64], "epochs": 3})   # the same values again: fine
    run.config["lr"] = 0.1
    for change in (lambda: run.config.update({"epochs": 4, "lr": 0.2}),
                   lambda: run.config.__setitem__("lr", 0.2),
                   lambda: setattr(run.config, "layers", [32])):
        with pytest.raises(ConfigError, match=r"key '(epochs|lr|layers)' from .* to .*allow_val_change=True"):
            change()
    assert dict(run.config) == {"lr": 0.1, "layers": [64, 64], "epochs": 3}
    run.config.update({"lr": 0.2}, allow_val_change=True)
    run.config["epochs"] = 3.0   # stored as JSON: the same number
    run.finish()
    assert read_back(run).config == {"lr": 0.2, "layers": [64, 64], "epochs": 3}


def test_init_allow_val_change_allows_every_change(start, read_back):
    run = start(config={"lr": 0.1}, allow_val_change=True)
    run.config["lr"] = 0.3
    run.config.update({"lr": 0.4})
    run.finish()
    assert read_back(run).config == {"lr": 0.4}


# -- module attributes, context manager, modes, environment -----------------------------------


def test_module_attributes_before_init_explain_themselves():
    assert tidelog.run is None
    with pytest.raises(UsageError, match=r"tidelog\.init\(\)"):
        tidelog.config.lr
    with pytest.raises(UsageError, match=r"tidelog\.init\(\)"):
        tidelog.config["lr"] = 1
    with pytest.raises(UsageError, match=r"tidelog\.init\(\)"):
        tidelog.summary["best"] = 1
    with pytest.raises(UsageError, match=r"tidelog\.init\(\)"):
        tidelog.log({"a": 1})
    with pytest.raises(UsageError, match=r"tidelog\.init\(\)"):
        tidelog.define_metric("a")


def test_module_attributes_follow_the_current_run(start, read_back):
    run = start(config={"a": 1})
    assert tidelog.run is run and tidelog.config is run.config and tidelog.summary is run.summary
    tidelog.log({"x": 1.0})
    tidelog.summary["best"] = 2.0
    tidelog.config.b = 2
    tidelog.finish()
    assert run.finished and tidelog.run is None
    with pytest.raises(UsageError):
        tidelog.config.a
    with pytest.raises(UsageError, match="finished"):
        run.log({"x": 2.0})
    r = read_back(run)
    assert logged(r) == [{"_step": 0, "x": 1.0}] and r.summary["best"] == 2.0 and r.config == {"a": 1, "b": 2}


def test_a_second_init_finishes_the_first_run(start, read_back):
    first = start()
    first.log({"a": 1.0})
    second = start()
    assert first.finished and tidelog.run is second
    second.finish()
    assert read_back(first).state == "finished" and read_back(second).state == "finished"


def test_init_as_context_manager(start, read_back):
    with start() as run:
        run.log({"a": 1.0})
    assert run.finished
    assert read_back(run).state == "finished"


def test_exception_in_context_manager_marks_the_run_failed(start, read_back):
    with pytest.raises(RuntimeError, match="boom"):
        with start() as run:
            run.log({"a": 1.0})
            raise RuntimeError("boom")
    r = read_back(run)
    assert r.state == "failed"
    exit_record = RunState.load(r.dir).exit
    assert exit_record.exit_code != 0
    assert "RuntimeError: boom" in exit_record.traceback and "Traceback" in exit_record.traceback
    assert logged(r) == [{"_step": 0, "a": 1.0}]


def test_finish_with_an_exit_code_marks_the_run_failed(start, read_back):
    run = start()
    run.log({"a": 1.0})
    tidelog.finish(exit_code=3)
    r = read_back(run)
    assert r.state == "failed" and RunState.load(r.dir).exit.exit_code == 3


def test_disabled_mode_writes_nothing(tmp_path):
    run = tidelog.init(dir=str(tmp_path), project="sem", mode="disabled", config={"lr": 0.1})
    run.log({"loss": 0.5})
    run.log({"loss": object()}, step=-4, commit=False)  # not even validated: a no-op
    run.summary["best"] = 1.0
    run.config.update({"epochs": 3})
    assert dict(run.config) == {"lr": 0.1, "epochs": 3} and tidelog.config.lr == 0.1
    assert run.summary["best"] == 1.0
    run.define_metric("loss", summary="min")
    run.finish()
    assert list(tmp_path.iterdir()) == []
    assert tidelog.Api(dir=str(tmp_path)).runs() == []


def test_disabled_context_manager(tmp_path):
    with tidelog.init(dir=str(tmp_path), mode="disabled") as run:
        tidelog.log({"a": 1})
    assert run.finished and tidelog.run is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("env", "mode", "project"),
    [
        ({"TIDELOG_PROJECT": "ours"}, "offline", "ours"),
        ({"WANDB_PROJECT": "theirs"}, "offline", "theirs"),
        ({"TIDELOG_PROJECT": "ours", "WANDB_PROJECT": "theirs"}, "offline", "ours"),
        ({"WANDB_MODE": "offline"}, "offline", "uncategorized"),
        ({"WANDB_MODE": "dryrun"}, "offline", "uncategorized"),
        ({"TIDELOG_MODE": "dryrun"}, "offline", "uncategorized"),
        ({"TIDELOG_MODE": "disabled"}, "disabled", "uncategorized"),
        ({"WANDB_MODE": "disabled"}, "disabled", "uncategorized"),
        ({"TIDELOG_MODE": "offline", "WANDB_MODE": "disabled"}, "offline", "uncategorized"),
    ],
)
def test_environment_variables(tmp_path, monkeypatch, env, mode, project):
    dir_var = "WANDB_DIR" if any(k.startswith("WANDB_") for k in env) else "TIDELOG_DIR"
    monkeypatch.setenv(dir_var, str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    run = tidelog.init()
    run.log({"a": 1.0})
    run.finish()
    runs = tidelog.Api(dir=str(tmp_path / "logs")).runs()
    if mode == "disabled":
        assert runs == [] and not (tmp_path / "logs").exists()
        assert list(tmp_path.iterdir()) == []
    else:
        assert [(r.id, r.project, r.state) for r in runs] == [(run.id, project, "finished")]
        assert not (tmp_path / "tidelog").exists()  # not the working directory


def test_tidelog_dir_wins_over_wandb_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TIDELOG_DIR", str(tmp_path / "ours"))
    monkeypatch.setenv("WANDB_DIR", str(tmp_path / "theirs"))
    run = tidelog.init(project="sem")
    run.finish()
    assert [r.id for r in tidelog.Api(dir=str(tmp_path / "ours")).runs()] == [run.id]
    assert not (tmp_path / "theirs").exists()


def test_init_arguments_win_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TIDELOG_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("TIDELOG_PROJECT", "env-project")
    monkeypatch.setenv("TIDELOG_MODE", "disabled")
    run = tidelog.init(dir=str(tmp_path / "arg"), project="arg-project", mode="offline")
    run.finish()
    assert [r.project for r in tidelog.Api(dir=str(tmp_path / "arg")).runs()] == ["arg-project"]


def test_unknown_mode_and_init_argument_are_refused(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        tidelog.init(dir=str(tmp_path), mode="sideways")
    with pytest.raises(TypeError, match="no_such_argument"):
        tidelog.init(dir=str(tmp_path), no_such_argument=1)
    assert list(tmp_path.iterdir()) == []


# -- the legacy history object ---------------------------------------------------------------


def test_legacy_history_row_and_add(start, read_back):
    run = start()
    run.history.row["loss"] = 0.5
    run.history.row.update({"acc": 0.8})
    run.history.add({"lr": 0.1})          # writes the row and starts a new one
    assert run.history.row == {} and run.step == 1
    run.history.row["loss"] = 0.4
    run.log({"acc": 0.9})                 # log() also writes what history.row holds
    run.history.add()
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 0, "loss": 0.5, "acc": 0.8, "lr": 0.1},
        {"_step": 1, "loss": 0.4, "acc": 0.9},
    ]


# -- resume ------------------------------------------------------------------------------------


def test_resume_must_continues_steps_and_keeps_rows_and_config(start, read_back, tmp_path):
    first = start(id="resumable", config={"lr": 0.1})
    first.log({"loss": 1.0})
    first.log({"loss": 0.9})
    first.summary["best"] = 0.9
    first.finish()

    run = start(id="resumable", resume="must")
    assert run.resumed and run.step == 2
    assert dict(run.config) == {"lr": 0.1} and run.summary["best"] == 0.9 and run.summary["loss"] == 0.9
    run.config.update({"epochs": 5})
    run.log({"loss": 0.8})
    run.finish()

    r = read_back(run)
    assert logged(r) == [{"_step": 0, "loss": 1.0}, {"_step": 1, "loss": 0.9}, {"_step": 2, "loss": 0.8}]
    assert r.config == {"lr": 0.1, "epochs": 5}
    assert user_summary(r.summary) == {"loss": 0.8, "best": 0.9} and r.summary["_step"] == 2
    assert r.state == "finished"
    assert len(tidelog.Api(dir=str(tmp_path)).runs("sem")) == 1  # one run, not two


def test_resume_allow_resumes_an_existing_run_and_starts_a_missing_one(start, read_back):
    first = start(id="allow1")
    first.log({"a": 1.0})
    first.finish()
    again = start(id="allow1", resume="allow")
    assert again.resumed and again.step == 1
    again.log({"a": 2.0})
    again.finish()
    fresh = start(id="allow2", resume="allow")
    assert not fresh.resumed and fresh.step == 0
    fresh.finish()
    assert logged(read_back(again), keep_step=False) == [{"a": 1.0}, {"a": 2.0}]
    assert read_back(fresh).state == "finished"


def test_resume_never_and_must_refuse(start):
    start(id="taken").finish()
    with pytest.raises(UsageError, match="never"):
        start(id="taken", resume="never")
    with pytest.raises(UsageError, match="must"):
        start(id="missing", resume="must")
    with pytest.raises(ValueError, match="resume"):
        start(id="taken", resume="sometimes")


def test_resuming_a_crashed_run_after_smaller_step(start, read_back):
    first = start(id="steps")
    first.log({"a": 1.0}, step=10)
    first.finish()
    run = start(id="steps", resume="must")
    assert run.step == 11
    with pytest.warns(TidelogWarning, match="step 5"):
        run.log({"a": 0.0}, step=5)
    run.log({"a": 2.0})
    run.finish()
    assert [row["_step"] for row in logged(read_back(run))] == [10, 11]


# -- reading back ---------------------------------------------------------------------------------


def test_api_runs_run_and_identity(tmp_path):
    a1 = tidelog.init(dir=str(tmp_path), project="alpha", name="first")
    a1.log({"x": 1.0})
    a1.finish()
    b1 = tidelog.init(dir=str(tmp_path), project="beta")
    b1.finish()
    a2 = tidelog.init(dir=str(tmp_path), project="alpha")
    a2.finish()

    api = tidelog.Api(dir=str(tmp_path))
    assert sorted(r.id for r in api.runs("alpha")) == sorted([a1.id, a2.id])
    assert [r.id for r in api.runs("someone/beta")] == [b1.id]
    assert len(api.runs()) == 3
    assert tidelog.Api(dir=str(tmp_path / "tidelog")).run(a1.id).id == a1.id  # the tidelog/ root too

    r = api.run(f"alpha/{a1.id}")
    assert (r.id, r.name, r.project, r.state) == (a1.id, "first", "alpha", "finished")
    assert r.dir == a1.dir
    assert api.run(f"entity/alpha/{a1.id}").id == a1.id and api.run(a1.id).id == a1.id
    assert api.run(b1.id).name == b1.id  # no name given: the id
    with pytest.raises(RunNotFoundError):
        api.run(f"beta/{a1.id}")
    with pytest.raises(RunNotFoundError):
        api.run("alpha/nosuchid")
    with pytest.raises(LookupError):
        api.run("alpha/nosuchid")


def test_scan_history_and_sampled_history(start, read_back):
    run = start()
    for i in range(50):
        row = {"loss": 1.0 / (i + 1)}
        if i % 10 == 0:
            row["val_loss"] = float(i)
        run.log(row)
    run.finish()
    r = read_back(run)

    rows = list(r.scan_history())
    assert [row["_step"] for row in rows] == list(range(50))
    assert all({"_step", "_timestamp", "_runtime"} <= set(row) for row in rows)
    assert all(row["_runtime"] >= 0 for row in rows)

    val = list(r.scan_history(keys=["val_loss"]))
    assert [row["_step"] for row in val] == [0, 10, 20, 30, 40]
    assert all(set(row) == {"_step", "_timestamp", "_runtime", "val_loss"} for row in val)

    df = r.history(samples=10)
    assert isinstance(df, pd.DataFrame) and len(df) == 10
    assert df["_step"].iloc[0] == 0 and df["_step"].iloc[-1] == 49
    assert df["_step"].is_monotonic_increasing
    assert len(r.history(samples=1000)) == 50
    as_rows = r.history(samples=5, keys=["loss"], pandas=False)
    assert isinstance(as_rows, list) and len(as_rows) == 5 and "val_loss" not in as_rows[0]


def test_a_live_run_reads_as_running(start, read_back, tmp_path):
    run = start()
    run.log({"a": 1.0})
    assert _live(tmp_path, run).state == "running"
    run.finish()
    assert read_back(run).state == "finished"


# -- a script that never calls finish() ------------------------------------------------------------

_SCRIPT = """
import sys
import tidelog as wandb
run = wandb.init(dir=sys.argv[1], project="exits", id=sys.argv[2], config={{"lr": 0.1}})
for i in range(3):
    wandb.log({{"loss": 1.0 / (i + 1)}})
wandb.run.summary["best"] = 1.0
{ending}
"""


@pytest.mark.parametrize(
    ("ending", "state", "returncode"),
    [
        ("", "finished", 0),
        ("raise ValueError('boom at the end')", "failed", 1),
        ("sys.exit(0)", "finished", 0),
    ],
    ids=["falls-off-the-end", "unhandled-exception", "sys-exit-0"],
)
def test_exit_without_finish(tmp_path, ending, state, returncode):
    import subprocess
    import sys

    script = tmp_path / "train.py"
    script.write_text(_SCRIPT.format(ending=ending))
    proc = subprocess.run([sys.executable, str(script), str(tmp_path), "noend"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == returncode, proc.stderr
    r = tidelog.Api(dir=str(tmp_path)).run("exits/noend")
    assert r.state == state
    assert [row["loss"] for row in r.scan_history()] == [1.0, 0.5, 1.0 / 3]
    assert r.summary["best"] == 1.0 and r.config == {"lr": 0.1}
    exit_record = RunState.load(r.dir).exit
    if state == "failed":
        assert "ValueError: boom at the end" in exit_record.traceback
        assert "train.py" in exit_record.traceback
        assert "boom at the end" in proc.stderr  # the user still sees the traceback
    else:
        assert exit_record.traceback == "" and exit_record.exit_code == 0


def test_summary_keeps_last_values_when_the_layout_cache_is_emptied(tmp_path, monkeypatch):
    """More distinct key layouts than the run caches: the live summary still has every key."""
    import tidelog.api.rows as rows_mod

    monkeypatch.setattr(rows_mod, "_MAX_LAYOUTS", 8)
    run = tidelog.init(project="p", dir=tmp_path)
    for i in range(30):
        run.log({f"k{i}": float(i), "shared": float(i)})
    assert run.summary["k0"] == 0.0 and run.summary["k29"] == 29.0
    assert run.summary["shared"] == 29.0
    run.finish()


def test_non_integer_step_is_a_clear_type_error(tmp_path):
    run = tidelog.init(project="p", dir=tmp_path)
    with pytest.raises(TypeError, match=r"step must be an int, not float.*'loss'"):
        run.log({"loss": 1.0}, step=1.5)
    run.log({"loss": 2.0})
    run.finish()
    rows = list(tidelog.Api(dir=tmp_path).run(f"p/{run.id}").scan_history())
    assert [r["loss"] for r in rows] == [2.0]


def test_warnings_point_at_the_users_line(tmp_path):
    """Whichever path noticed the problem, the warning names the caller's file, not tidelog's."""
    run = tidelog.init(project="p", dir=tmp_path)
    run.log({"acc": 1.0}, step=5)
    with pytest.warns(TidelogWarning) as smaller:
        tidelog.log({"acc": 2.0}, step=1)          # module-level log, step refused
    run.log({"Acc2": 1.0})
    with pytest.warns(TidelogWarning) as collision:
        run.log({"acc2": 2.0})                     # run.log, fast path, case collision
    with pytest.warns(TidelogWarning) as apart:
        tidelog.log({"acc": "n/a"})                # slow path, stored apart
    run.finish()
    for record in (smaller, collision, apart):
        assert [w.filename for w in record] == [__file__]
