"""Bare arrays in log() (W&B's scalar / list / histogram rule) and arrays kept whole in the summary."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import encode_prepared, log_value

from tidelog.media import Prepared, to_loggable
from tidelog.media.arrays import bare_array, summary_array


def test_size_one_becomes_a_python_scalar(tmp_path):
    assert log_value("x", np.array([3.5]), tmp_path) == 3.5
    assert type(log_value("x", np.float32(2.5), tmp_path)) is float
    assert log_value("x", np.int64(7), tmp_path) == 7
    assert log_value("x", np.array([[True]]), tmp_path) is True
    assert log_value("x", np.array(4), tmp_path) == 4


def test_up_to_32_becomes_a_list(tmp_path):
    arr = np.arange(32, dtype=np.float64).reshape(4, 8)
    assert log_value("x", arr, tmp_path) == arr.tolist()
    assert log_value("x", np.array(["a", "b"]), tmp_path) == ["a", "b"]
    assert log_value("x", np.zeros(0), tmp_path) == []


def test_33_becomes_a_32_bin_histogram(tmp_path):
    arr = np.arange(33, dtype=np.float32)
    prep = to_loggable("weights", arr)
    assert isinstance(prep, Prepared) and prep.kind == "histogram"
    assert prep.arrays[0] is arr
    value = encode_prepared(prep, tmp_path)
    counts, edges = np.histogram(arr, bins=32)
    assert value == {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


def test_large_array_with_nan_refused_naming_the_key():
    arr = np.ones(100)
    arr[5] = np.nan
    with pytest.raises(ValueError, match="'grads'.*NaN or Inf"):
        bare_array("grads", arr)


def test_unsupported_dtypes_name_the_key():
    with pytest.raises(TypeError, match="'z'.*complex"):
        bare_array("z", np.ones(3, dtype=complex))
    with pytest.raises(TypeError, match="'o'"):
        bare_array("o", np.array([object()] * 40))


def test_summary_array_kept_whole_with_stats(tmp_path):
    arr = np.random.default_rng(2).normal(size=(50, 20)).astype(np.float32)
    prep = summary_array("tensor", arr)
    assert prep.kind == "summary-array" and prep.arrays[0] is arr
    value = encode_prepared(prep, tmp_path)
    assert value["_type"] == "array-file"
    assert value["path"].startswith("media/arrays/") and value["path"].endswith(".npy")
    stored = np.load(tmp_path / value["path"])
    np.testing.assert_array_equal(stored, arr)
    assert value["shape"] == [50, 20] and value["dtype"] == "float32"
    assert value["size"] == (tmp_path / value["path"]).stat().st_size
    a64 = arr.astype(np.float64)
    assert value["min"] == pytest.approx(float(arr.min()))
    assert value["max"] == pytest.approx(float(arr.max()))
    assert value["mean"] == pytest.approx(a64.mean())
    assert value["var"] == pytest.approx(a64.var())
    assert value["p95"] == pytest.approx(np.percentile(a64, 95))
    assert value["nonfinite"] == 0


def test_summary_array_ignores_nonfinite_and_handles_ints(tmp_path):
    value = encode_prepared(summary_array("t", np.array([1.0, np.nan, 3.0, np.inf])), tmp_path)
    assert (value["min"], value["max"], value["mean"], value["nonfinite"]) == (1.0, 3.0, 2.0, 2)
    value = encode_prepared(summary_array("t", np.arange(10, dtype=np.int32)), tmp_path)
    assert (value["min"], value["max"], value["mean"]) == (0, 9, 4.5)
    assert value["dtype"] == "int32"
    empty = encode_prepared(summary_array("t", np.zeros((0, 3))), tmp_path)
    assert empty["min"] is None and empty["shape"] == [0, 3]


def test_summary_array_same_content_same_file(tmp_path):
    a = encode_prepared(summary_array("a", np.arange(40.0)), tmp_path)
    b = encode_prepared(summary_array("b", np.arange(40.0)), tmp_path)
    assert a == b
    assert len(list((tmp_path / "media" / "arrays").iterdir())) == 1


def test_summary_array_refuses_non_numeric():
    with pytest.raises(TypeError, match="'s'"):
        summary_array("s", np.array(["a", "b"]))


def test_summary_scalars_stay_numbers():
    assert summary_array("best", np.float64(0.9)) == 0.9
    assert summary_array("best", np.array(3)) == 3
    assert summary_array("one", np.array([1.5])).kind == "summary-array"  # an array, even of one
