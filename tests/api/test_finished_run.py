"""After ``finish()`` (issue 7, item 9): every method that would change the run raises
``tidelog.errors.UsageError`` and changes nothing, in memory or on disk."""

from __future__ import annotations

import pytest
from _api_helpers import files_under, logged

from tidelog.errors import UsageError


@pytest.fixture
def finished(start, tmp_path):
    run = start(config={"lr": 0.1})
    run.log({"loss": 1.0})
    run.summary["best"] = 0.5
    run.finish()
    return run


def _wal_bytes(run) -> int:
    return sum(p.stat().st_size for p in files_under(run._run_dir / "wal") if p.is_file())


CHANGES = {
    "config.update": lambda r, f: r.config.update({"lr": 0.2, "new": 1}, allow_val_change=True),
    "config[k] =": lambda r, f: r.config.__setitem__("new", 0.3),
    "config.k =": lambda r, f: setattr(r.config, "new", 0.4),
    "del config[k]": lambda r, f: r.config.__delitem__("lr"),
    "config.setdefaults": lambda r, f: r.config.setdefaults({"other": 2}),
    "define_metric": lambda r, f: r.define_metric("loss", summary="min"),
    "save": lambda r, f: r.save(str(f)),
    "log": lambda r, f: r.log({"loss": 2.0}),
    "history.add": lambda r, f: r.history.add({"loss": 3.0}),
    "summary[k] =": lambda r, f: r.summary.__setitem__("best", 0.9),
    "summary.update": lambda r, f: r.summary.update({"best": 0.8}),
    "del summary[k]": lambda r, f: r.summary.__delitem__("best"),
    "alert": lambda r, f: r.alert("title", "text"),
    "watch": lambda r, f: r.watch(object()),
    "unwatch": lambda r, f: r.unwatch(),
}


@pytest.mark.parametrize("what", list(CHANGES))
def test_every_change_to_a_finished_run_is_a_usage_error(finished, read_back, tmp_path, what):
    user_file = tmp_path / "weights.txt"
    user_file.write_text("w")
    before_config, before_summary = dict(finished.config), dict(finished.summary)
    before_wal, before_files = _wal_bytes(finished), files_under(finished._run_dir / "files")
    with pytest.raises(UsageError, match="finished"):
        CHANGES[what](finished, user_file)
    assert dict(finished.config) == before_config
    assert dict(finished.summary) == before_summary
    assert _wal_bytes(finished) == before_wal
    assert files_under(finished._run_dir / "files") == before_files
    r = read_back(finished)
    assert r.config == {"lr": 0.1} and r.summary["best"] == 0.5
    assert logged(r) == [{"_step": 0, "loss": 1.0}]


def test_finish_twice_and_reading_a_finished_run_are_fine(finished):
    finished.finish()  # W&B allows it: a no-op
    assert finished.config["lr"] == 0.1 and finished.config.lr == 0.1
    assert finished.summary["best"] == 0.5 and finished.summary["loss"] == 1.0
    assert finished.step == 1 and finished.finished
