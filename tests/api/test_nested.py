"""Nested dicts (issue 7, item 8), as in W&B: media inside nested dicts are accepted, and
nested values are metrics with dotted names (``val.loss``) in the history, for
``define_metric`` and in the summary (where ``summary["val"]["loss"]`` also works)."""

from __future__ import annotations

import numpy as np
import pytest
from _api_helpers import logged

import tidelog


def test_nested_numbers_are_dotted_metrics(start, read_back):
    run = start()
    run.log({"train": {"loss": 0.5, "acc": 0.7}, "val": {"loss": 0.9, "deep": {"er": 1}}, "epoch": 0})
    run.log({"train": {"loss": 0.25, "acc": 0.8}, "epoch": 1})
    assert run.summary["train.loss"] == 0.25
    run.finish()
    r = read_back(run)
    assert logged(r) == [
        {"_step": 0, "train.loss": 0.5, "train.acc": 0.7, "val.loss": 0.9, "val.deep.er": 1, "epoch": 0},
        {"_step": 1, "train.loss": 0.25, "train.acc": 0.8, "epoch": 1},
    ]
    cols = r._history().columns(keys=["train.loss"])
    assert cols["train.loss"].tolist() == [0.5, 0.25]
    assert r.summary["train.loss"] == 0.25 and r.summary["val.deep.er"] == 1
    assert r.summary["train"] == {"loss": 0.25, "acc": 0.8}  # W&B's nested access, too
    assert r.summary["val"]["deep"]["er"] == 1
    with pytest.raises(KeyError):
        r.summary["nothing"]


def test_define_metric_on_a_nested_name(start, read_back):
    run = start()
    run.define_metric("train.loss", summary="min")
    for loss in (0.5, 0.1, 0.3):
        run.log({"train": {"loss": loss}})
    run.finish()
    assert read_back(run).summary["train.loss"] == {"min": 0.1}


def test_media_inside_nested_dicts(start, read_back):
    run = start()
    img = np.zeros((8, 8, 3), dtype=np.uint8)
    run.log({"val": {"img": tidelog.Image(img), "loss": 1.0},
             "grads": {"l1": tidelog.Histogram(np.arange(10.0)), "l2": {"w": tidelog.Histogram([1, 2, 3])}}})
    run.finish()
    row = logged(read_back(run))[0]
    assert row["val.img"]["_type"] == "image-file" and row["val.loss"] == 1.0
    assert row["grads.l1"]["_type"] == "histogram" and row["grads.l2.w"]["_type"] == "histogram"
    assert (read_back(run).dir and row["val.img"]["path"].startswith("media/"))


def test_values_that_are_not_nests_stay_values(start, read_back):
    run = start()
    run.log({"empty": {}, "typed": {"_type": "custom", "v": 1}, "ints": {0: 0.9, 1: 0.8},
             "items": [{"a": 1}]})
    with pytest.raises(TypeError, match=r"'bad'.*\(1, 2\)"):
        run.log({"bad": {(1, 2): 3}})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "empty": {}, "typed": {"_type": "custom", "v": 1},
                                       "ints.0": 0.9, "ints.1": 0.8, "items": [{"a": 1}]}]
