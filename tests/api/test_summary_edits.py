"""Summary edits persist, as W&B's summary does: deletions through ``tidelog.Api`` and nested assignment.

Each test changes a summary, then reads the run back from disk in a fresh
``tidelog.Api`` (so only what reached the WAL counts).
"""

from __future__ import annotations

import json

import pytest

import tidelog


def _fresh(tmp_path, run):
    return tidelog.Api(dir=str(tmp_path)).run(f"{run.project}/{run.id}")


def test_api_delete_then_update_persists(start, tmp_path):
    run = start()
    run.log({"loss": 0.5})
    run.summary["note"] = "keep me?"
    run.summary["other"] = 1
    run.finish()
    r = _fresh(tmp_path, run)
    del r.summary["note"]
    del r.summary["loss"]                            # a key the summary took from history
    r.summary.update()
    again = _fresh(tmp_path, run)
    assert "note" not in again.summary and "loss" not in again.summary
    assert again.summary["other"] == 1
    assert [row["loss"] for row in again.scan_history()] == [0.5]   # history is untouched


def test_api_pop_and_set_in_one_update(start, tmp_path):
    run = start()
    run.summary.update({"a": 1, "b": 2})
    run.finish()
    r = _fresh(tmp_path, run)
    assert r.summary.pop("a") == 1
    r.summary["c"] = 3
    r.summary.update({"d": 4})
    assert {k: _fresh(tmp_path, run).summary.get(k) for k in "abcd"} == {"a": None, "b": 2, "c": 3, "d": 4}


def test_api_nested_assignment_persists(start, tmp_path):
    run = start()
    run.summary["d"] = {"x": 1, "e": {"f": 2}}
    run.finish()
    r = _fresh(tmp_path, run)
    r.summary["d"]["z"] = 1
    r.summary["d"]["e"]["f"] = 3
    r.summary.update()
    assert _fresh(tmp_path, run).summary["d"] == {"x": 1, "e": {"f": 3}, "z": 1}


def test_live_nested_assignment_persists(start, tmp_path):
    run = start()
    run.summary["d"] = {"x": 1, "e": {"f": 2}}
    run.summary["d"]["z"] = 1
    run.summary["d"]["e"]["f"] = 3
    del run.summary["d"]["x"]
    run.summary.d["w"] = [1, 2]                      # attribute access gives the same kind of dict
    want = {"e": {"f": 3}, "z": 1, "w": [1, 2]}
    assert run.summary["d"] == want
    assert isinstance(run.summary["d"], dict) and json.loads(json.dumps(run.summary["d"])) == want
    run.finish()
    assert _fresh(tmp_path, run).summary["d"] == want


def test_live_nested_update_setdefault_and_pop_persist(start, tmp_path):
    run = start()
    run.summary["d"] = {"x": 1}
    run.summary["d"].update({"y": 2})
    run.summary["d"].setdefault("s", {})["t"] = 5
    assert run.summary["d"].pop("x") == 1
    run.finish()
    assert _fresh(tmp_path, run).summary["d"] == {"y": 2, "s": {"t": 5}}


def test_a_value_is_copied_when_set(start, tmp_path):
    """Changing the dict a summary value came from changes nothing in the summary (it was copied)."""
    run = start()
    mine = {"a": 1, "inner": {"b": 2}}
    run.summary["c"] = mine
    mine["a"] = 100
    mine["inner"]["b"] = 200
    assert run.summary["c"] == {"a": 1, "inner": {"b": 2}}
    run.finish()
    assert _fresh(tmp_path, run).summary["c"] == {"a": 1, "inner": {"b": 2}}


def test_nested_change_on_a_finished_live_run_is_refused(start):
    run = start()
    run.summary["d"] = {"x": 1}
    d = run.summary["d"]
    run.finish()
    with pytest.raises(tidelog.UsageError, match="finished"):
        d["y"] = 2
