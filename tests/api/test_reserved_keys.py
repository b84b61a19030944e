"""Reserved keys (issue 7, item 3), W&B's way: a numeric ``_timestamp`` in ``log()`` data sets
the row's time; ``_step``, ``_runtime`` and a ``_timestamp`` that is no finite number are
refused with a warning naming the key, and the rest of the call is logged. The summary
carries ``_step``, ``_runtime`` and ``_timestamp`` as the logger wrote them."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from _api_helpers import logged

import tidelog


def _log_warns(run, data, key):
    with pytest.warns(tidelog.TidelogWarning, match=repr(key)):
        run.log(data)


def test_non_numeric_timestamp_is_refused_and_the_run_stays_readable(start, read_back, tmp_path):
    run = start()
    _log_warns(run, {"_timestamp": "oops", "x": 1}, "_timestamp")
    run.log({"x": 2})
    run.finish()
    r = read_back(run)
    rows = list(r.scan_history())
    assert [(row["_step"], row["x"]) for row in rows] == [(0, 1), (1, 2)]
    assert all(isinstance(row["_timestamp"], float) and row["_timestamp"] >= run.start_time for row in rows)
    out = subprocess.run([sys.executable, "-m", "tidelog", "show", r.dir, "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["summary"]["x"] == 2


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, None, [1.0], "1700000000"])
def test_timestamp_that_is_no_finite_number_is_refused(start, read_back, bad):
    run = start()
    _log_warns(run, {"_timestamp": bad, "x": 1.0}, "_timestamp")
    run.finish()
    rows = list(read_back(run).scan_history())
    assert rows[0]["x"] == 1.0 and rows[0]["_timestamp"] >= run.start_time


def test_numeric_timestamp_sets_the_row_time(start, read_back):
    run = start()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid _timestamp warns about nothing
        run.log({"_timestamp": run.start_time + 10.5, "x": 1.0})
        run.log({"_timestamp": np.float32(run.start_time), "x": 2.0})
        run.log({"_timestamp": int(run.start_time) + 20})  # alone: a row with its time only
        run.log({"x": 3.0})
    run.finish()
    rows = list(read_back(run).scan_history())
    assert rows[0]["_step"] == 0 and rows[0]["_timestamp"] == run.start_time + 10.5
    assert rows[0]["_runtime"] == pytest.approx(10.5)
    assert rows[1]["_timestamp"] == pytest.approx(run.start_time, abs=300)
    assert [row["_step"] for row in rows] == [0, 1, 3]  # the time-only call advanced the step
    assert "_timestamp" not in read_back(run)._state.keys


@pytest.mark.parametrize("key", ["_step", "_runtime"])
def test_step_and_runtime_in_data_are_refused_and_the_rest_is_logged(start, read_back, key):
    run = start()
    _log_warns(run, {key: 100, "x": 1.0}, key)
    run.log({key: 200.0, "x": 2.0})  # warned once per key
    run.log({key: 300})  # nothing left to log: the step still advances, as for log({})
    run.log({"x": 3.0})
    assert run.step == 4
    run.finish()
    r = read_back(run)
    assert logged(r) == [{"_step": 0, "x": 1.0}, {"_step": 1, "x": 2.0}, {"_step": 3, "x": 3.0}]
    assert r.summary["_step"] == 3 and key not in r._state.keys


def test_summary_carries_step_runtime_and_timestamp_as_written(start, read_back):
    run = start()
    run.log({"loss": 0.5})
    run.log({"loss": 0.25}, step=7)
    for key in ("_step", "_runtime", "_timestamp"):
        with pytest.warns(tidelog.TidelogWarning, match=repr(key)):
            run.summary[key] = 12345
    live = dict(run.summary)
    assert live["_step"] == 7 and live["loss"] == 0.25
    assert live["_timestamp"] >= run.start_time and live["_runtime"] == pytest.approx(
        live["_timestamp"] - run.start_time)
    run.finish()
    r = read_back(run)
    rows = list(r.scan_history())
    assert r.summary["_step"] == 7 and r.summary["_timestamp"] == rows[-1]["_timestamp"]
    assert r.summary["_runtime"] == pytest.approx(rows[-1]["_runtime"])
    assert r.summary["loss"] == 0.25


def test_nested_reserved_names_are_ordinary_keys(start, read_back):
    run = start()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.log({"val": {"_step": 3}})
    run.finish()
    assert logged(read_back(run)) == [{"_step": 0, "val._step": 3}]
