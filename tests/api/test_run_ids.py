"""Run ids become file names: what could leave the run directory, or is no portable name, is refused.

Refused at ``init()`` with a ``SettingsError`` naming where the id came from,
before anything exists: no run directory, no ring under /dev/shm. Reusing an
id is refused unless ``resume`` asks for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tidelog
from tidelog.errors import SettingsError, UsageError

BAD_IDS = [
    "../../escape", "a/b", "a\\b", "x#y", "what?", "100%", "c:d", "..", ".hidden", "a..b",
    "with space", "tab\there", "new\nline", "nul\x00", "bell\x07", "x" * 129,
]


def _shm_rings() -> set[Path]:
    return set(Path("/dev/shm").glob("tidelog-*.ring"))


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_bad_id_is_refused_and_nothing_is_created(tmp_path, bad):
    base = tmp_path / "base"
    rings = _shm_rings()
    with pytest.raises(SettingsError, match=r"id=") as err:
        tidelog.init(project="ids", dir=base, id=bad)
    assert "not allowed" in str(err.value)
    assert list(tmp_path.iterdir()) == []            # no run directory, nothing above it either
    assert _shm_rings() - rings == set()               # no ring in shared memory
    assert tidelog.run is None


@pytest.mark.parametrize("variable", ["TIDELOG_RUN_ID", "WANDB_RUN_ID"])
def test_bad_id_from_the_environment_names_the_variable(tmp_path, monkeypatch, variable):
    monkeypatch.setenv(variable, "../up")
    with pytest.raises(SettingsError, match=variable):
        tidelog.init(project="ids", dir=tmp_path / "base")
    assert not (tmp_path / "base").exists()


def test_bad_id_leaves_the_current_run_alone(start):
    run = start(id="current")
    with pytest.raises(SettingsError):
        start(id="a/b")
    assert tidelog.run is run and not run.finished
    run.log({"x": 1.0})
    run.finish()


def test_longest_id_and_usual_punctuation_are_accepted(start, read_back):
    for run_id in ("x" * 128, "a-b.c_d", "Grid-Search_v2.1", "ünïcode"):
        run = start(id=run_id)
        run.log({"x": 1.0})
        run.finish()
        assert read_back(run).id == run_id


def test_reusing_an_id_without_resume_is_refused(start, read_back, tmp_path):
    first = start(id="dup")
    first.log({"x": 1.0})
    first.finish()
    with pytest.raises(UsageError, match='resume="allow"'):
        start(id="dup")
    assert len(list((tmp_path / "tidelog").glob("run-*"))) == 1   # no second directory hiding the first
    again = start(id="dup", resume="allow")
    assert again.resumed
    again.log({"x": 2.0})
    again.finish()
    assert [r["x"] for r in read_back(again).scan_history()] == [1.0, 2.0]


def test_an_id_is_matched_exactly_not_as_a_suffix(start):
    """``id="b"`` must not resume the run ``"a-b"`` (their directories end alike)."""
    start(id="a-b").finish()
    with pytest.raises(UsageError, match="resume='must'"):
        start(id="b", resume="must")
    start(id="b").finish()                           # and "b" is a new id, not a reuse of "a-b"
