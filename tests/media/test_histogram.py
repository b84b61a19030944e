"""Histogram: binning on the sender equals np.histogram; limits and bad input refused early."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import encode_prepared, log_value

from tidelog.media import Prepared, to_loggable
from tidelog.media.histogram import MAX_LENGTH, Histogram


def test_sequence_binned_like_np_histogram_with_64_bins(tmp_path):
    data = np.random.default_rng(0).normal(size=5000)
    value = log_value("gradients", Histogram(data), tmp_path)
    counts, edges = np.histogram(data, bins=64)
    assert value == {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}
    assert len(value["bins"]) == len(value["values"]) + 1


@pytest.mark.parametrize("num_bins", [1, 10, 512])
def test_num_bins(tmp_path, num_bins):
    data = np.arange(1000, dtype=np.float32)
    value = log_value("h", Histogram(data, num_bins=num_bins), tmp_path)
    counts, edges = np.histogram(data, bins=num_bins)
    assert value["values"] == counts.tolist()
    assert value["bins"] == edges.tolist()


def test_plain_list_and_int_and_bool_sequences(tmp_path):
    assert log_value("h", Histogram([1, 2, 2, 3], num_bins=3), tmp_path)["values"] == [1, 2, 1]
    ints = np.arange(100, dtype=np.int16)
    assert log_value("h", Histogram(ints, num_bins=4), tmp_path)["values"] == [25, 25, 25, 25]
    bools = np.array([True, False, True, True])
    assert log_value("h", Histogram(bools, num_bins=2), tmp_path)["values"] == [1, 3]


def test_np_histogram_passed_through(tmp_path):
    counts, edges = np.histogram(np.linspace(0, 1, 101), bins=7)
    value = log_value("h", Histogram(np_histogram=(counts, edges)), tmp_path)
    assert value == {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


def test_np_histogram_edges_must_be_one_more_than_values():
    with pytest.raises(ValueError, match=r"len\(bin_edges\) must be len\(values\) \+ 1"):
        Histogram(np_histogram=([1, 2, 3], [0, 1, 2]))
    with pytest.raises(ValueError, match="pair"):
        Histogram(np_histogram=([1, 2, 3],))


def test_more_than_512_bins_refused_naming_the_limit():
    with pytest.raises(ValueError, match="512"):
        Histogram(np.arange(10), num_bins=MAX_LENGTH + 1)
    with pytest.raises(ValueError, match="512"):
        Histogram(np_histogram=np.histogram(np.arange(10000), bins=513))
    Histogram(np_histogram=np.histogram(np.arange(10000), bins=512))  # the limit itself is fine


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_refused_like_wandb(bad):
    data = np.array([0.0, 1.0, bad])
    with pytest.raises(ValueError, match="NaN or Inf"):
        Histogram(data)


def test_bad_arguments():
    with pytest.raises(ValueError, match="sequence or np_histogram"):
        Histogram()
    with pytest.raises(ValueError, match="not both"):
        Histogram([1, 2], np_histogram=np.histogram([1, 2]))
    with pytest.raises(TypeError, match="num_bins must be an int"):
        Histogram([1, 2], num_bins=2.5)
    with pytest.raises(ValueError, match="num_bins=0"):
        Histogram([1, 2], num_bins=0)
    with pytest.raises(TypeError, match="numbers"):
        Histogram(["a", "b"])


def test_array_snapshotted_once_and_binned_on_sender():
    data = np.random.default_rng(1).random(1000)
    h = Histogram(data)
    prep = to_loggable("h", h)
    assert isinstance(prep, Prepared) and prep.kind == "histogram"
    assert not np.shares_memory(prep.arrays[0], data)  # the constructor's snapshot...
    assert to_loggable("h", h).arrays[0] is prep.arrays[0]  # ...handed over without another copy
    assert prep.meta == {"num_bins": 64}


def test_attributes_like_wandb():
    data = [1, 2, 3, 4]
    h = Histogram(data, num_bins=2)
    counts, edges = np.histogram(data, bins=2)
    assert h.histogram == counts.tolist()
    assert h.bins == edges.tolist()


def test_summary_uses_the_same_path(tmp_path):
    # run.summary["h"] = Histogram(...) hands the same Prepared to the same encoder
    h = Histogram(np_histogram=np.histogram([1, 2, 3], bins=3))
    assert encode_prepared(h._prepare("h"), tmp_path) == log_value("h", h, tmp_path)
    assert list(tmp_path.iterdir()) == []  # histograms write no file
