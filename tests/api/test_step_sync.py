"""``define_metric(step_metric=..., step_sync=True)`` (issue 7, item 10), as W&B does: a row that
logs the metric but not its step metric gets the step metric's last value (Lightning and the
HF Trainer log ``train/global_step`` in some rows only and rely on it). ``step_sync`` is on by
default when a step metric is given; a trailing ``*`` is a glob."""

from __future__ import annotations

from _api_helpers import logged


def test_rows_without_the_step_metric_get_its_last_value(start, read_back):
    run = start()
    run.define_metric("val/loss", step_metric="epoch", step_sync=True)
    run.log({"val/loss": 0.9})                  # epoch never logged yet: nothing to fill in
    run.log({"epoch": 1, "train/loss": 0.5})
    run.log({"val/loss": 0.8})
    run.log({"epoch": 2})
    run.log({"val/loss": 0.7, "other": 1})
    run.log({"other": 2})                       # no synced metric in this row: left alone
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 0, "val/loss": 0.9},
        {"_step": 1, "epoch": 1, "train/loss": 0.5},
        {"_step": 2, "val/loss": 0.8, "epoch": 1},
        {"_step": 3, "epoch": 2},
        {"_step": 4, "val/loss": 0.7, "other": 1, "epoch": 2},
        {"_step": 5, "other": 2},
    ]


def test_step_sync_defaults_on_and_can_be_turned_off(start, read_back):
    run = start()
    run.define_metric("a", step_metric="s")                   # W&B: step_sync defaults to True
    run.define_metric("b", step_metric="s", step_sync=False)
    run.log({"s": 10})
    run.log({"a": 1.0})
    run.log({"b": 2.0})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "s": 10}, {"_step": 1, "a": 1.0, "s": 10},
                                      {"_step": 2, "b": 2.0}]


def test_glob_with_a_global_step(start, read_back):
    """The HF Trainer's ``define_metric("*", step_metric="train/global_step", step_sync=True)``."""
    run = start()
    run.define_metric("train/global_step")
    run.define_metric("*", step_metric="train/global_step", step_sync=True)
    run.log({"train/loss": 0.5, "train/global_step": 100})
    run.log({"eval/loss": 0.7})
    run.log({"eval/acc": 0.1, "_timestamp": run.start_time + 1})
    run.log({"train/loss": 0.4, "train/global_step": 200})
    run.log({"eval": {"f1": 0.3}})                   # nested keys are metrics too
    run.finish()
    assert logged(read_back(run)) == [
        {"_step": 0, "train/loss": 0.5, "train/global_step": 100},
        {"_step": 1, "eval/loss": 0.7, "train/global_step": 100},
        {"_step": 2, "eval/acc": 0.1, "train/global_step": 100},
        {"_step": 3, "train/loss": 0.4, "train/global_step": 200},
        {"_step": 4, "eval.f1": 0.3, "train/global_step": 200},
    ]


def test_exact_definition_wins_over_a_glob(start, read_back):
    run = start()
    run.define_metric("eval/*", step_metric="epoch")
    run.define_metric("eval/special")                 # defined by name, without a step metric
    run.log({"epoch": 3})
    run.log({"eval/loss": 1.0, "eval/special": 2.0})  # a row with a synced metric is filled
    run.log({"eval/special": 3.0})                    # only the exact one: left alone
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "epoch": 3},
                                      {"_step": 1, "eval/loss": 1.0, "eval/special": 2.0, "epoch": 3},
                                      {"_step": 2, "eval/special": 3.0}]


def test_exact_definition_before_the_glob_also_wins(start, read_back):
    run = start()
    run.define_metric("eval/special")                 # defined first, by name
    run.define_metric("eval/*", step_metric="epoch")
    run.log({"epoch": 3})
    run.log({"eval/special": 3.0})
    run.log({"eval/loss": 1.0})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "epoch": 3}, {"_step": 1, "eval/special": 3.0},
                                      {"_step": 2, "eval/loss": 1.0, "epoch": 3}]
