"""Every setting is checked once, at ``init()``: a bad one is a clear error, raised before anything exists.

The error names the argument or variable, repeats the value and lists what is
accepted; the sender only ever receives checked values (a bad
``TIDELOG_FSYNC`` used to pass ``init()`` and make the sender crash-loop).
"""

from __future__ import annotations

import warnings

import pytest

import tidelog
from tidelog import settings as settings_mod
from tidelog.errors import SettingsError
from tidelog.read.run import RunState

_TUNING = ("TIDELOG_FSYNC", "TIDELOG_RING_MB", "TIDELOG_STATS_INTERVAL", "TIDELOG_RESUME", "WANDB_RESUME",
           "TIDELOG_NAME", "WANDB_NAME", "TIDELOG_NOTES", "WANDB_NOTES", "TIDELOG_TAGS", "WANDB_TAGS",
           "TIDELOG_RUN_GROUP", "WANDB_RUN_GROUP", "TIDELOG_JOB_TYPE", "WANDB_JOB_TYPE",
           "TIDELOG_ENTITY", "WANDB_ENTITY")


@pytest.fixture(autouse=True)
def _no_tuning_from_the_shell(monkeypatch):
    for name in _TUNING:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("TIDELOG_FSYNC", "batched", "batch, never, or interval:<milliseconds>"),
        ("TIDELOG_FSYNC", "interval:", "interval:<milliseconds>"),
        ("TIDELOG_FSYNC", "interval:-5", "interval:<milliseconds>"),
        ("TIDELOG_RING_MB", "abc", "whole number of MiB from 1 to"),
        ("TIDELOG_RING_MB", "0", "whole number of MiB from 1 to"),
        ("TIDELOG_RING_MB", "1.5", "whole number of MiB from 1 to"),
        ("TIDELOG_STATS_INTERVAL", "x", "seconds >= 0"),
        ("TIDELOG_STATS_INTERVAL", "-1", "seconds >= 0"),
        ("TIDELOG_STATS_INTERVAL", "nan", "seconds >= 0"),
        ("TIDELOG_MODE", "bogus", "offline, dryrun, disabled, online, run"),
        ("WANDB_MODE", "shared", "offline, dryrun, disabled, online, run"),
        ("WANDB_RESUME", "sometimes", "allow, must, never, auto"),
        ("WANDB_PROJECT", "a/b", "not allowed"),
    ],
)
def test_a_bad_variable_is_a_clear_error_and_nothing_is_created(tmp_path, monkeypatch, variable, value,
                                                                  accepted):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as err:
        tidelog.init(project=None if "PROJECT" in variable else "s", dir=tmp_path / "base")
    message = str(err.value)
    assert f"{variable}={value!r}" in message and accepted in message
    assert isinstance(err.value, ValueError)          # what a W&B user would catch
    assert not (tmp_path / "base").exists()


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"mode": "bogus"}, "mode='bogus'"),
        ({"resume": "sometimes"}, "resume='sometimes'"),
        ({"tags": "just-one"}, "tags='just-one'"),
        ({"tags": ["ok", 3]}, "tags must be strings"),
        ({"name": 7}, "name must be a string"),
        ({"project": "p?"}, "project='p?'"),
    ],
)
def test_a_bad_argument_is_a_clear_error(tmp_path, kwargs, named):
    kwargs.setdefault("project", "s")
    with pytest.raises(SettingsError, match=named.replace("?", r"\?")):
        tidelog.init(dir=tmp_path / "base", **kwargs)
    assert not (tmp_path / "base").exists()


def test_dir_that_is_a_file_is_refused(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with pytest.raises(SettingsError, match="dir=.*is not a directory"):
        tidelog.init(project="s", dir=not_a_dir)
    with pytest.raises(SettingsError, match=f"dir=.*cannot be created: {not_a_dir} is a file"):
        tidelog.init(project="s", dir=not_a_dir / "below")


def test_good_tuning_reaches_the_sender(tmp_path, monkeypatch, read_back):
    monkeypatch.setenv("TIDELOG_FSYNC", "batch")
    monkeypatch.setenv("TIDELOG_RING_MB", "1")
    monkeypatch.setenv("TIDELOG_STATS_INTERVAL", "0")
    run = tidelog.init(project="s", dir=tmp_path)
    assert (run.settings.fsync, run.settings.ring_bytes, run.settings.stats_interval_s) == ("batch", 1 << 20, 0.0)
    for i in range(50):
        run.log({"x": float(i)})
    run.finish()
    r = read_back(run)
    assert r.state == "finished" and len(list(r.scan_history())) == 50


@pytest.mark.parametrize("mode", ["offline", "dryrun", "disabled", "online", "run", "OFFLINE"])
def test_every_wandb_mode_is_accepted(tmp_path, monkeypatch, mode):
    monkeypatch.setenv("WANDB_MODE", mode)
    monkeypatch.setattr(settings_mod, "_online_noticed", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = tidelog.init(project="s", dir=tmp_path)
        run.log({"x": 1.0})
        run.finish()
    notices = [w for w in caught if "tracking server" in str(w.message)]
    if mode in ("online", "run"):
        assert len(notices) == 1 and "WANDB_MODE" in str(notices[0].message)
        assert notices[0].filename == __file__          # the notice names the user's init() line
    else:
        assert notices == []
    if mode == "disabled":
        assert not (tmp_path / "tidelog").exists()
    else:
        assert tidelog.Api(dir=tmp_path).run(f"s/{run.id}").state == "finished"


def test_online_notice_is_given_once_per_process(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_mod, "_online_noticed", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            tidelog.init(project="s", dir=tmp_path, mode="online").finish()
    assert len([w for w in caught if "tracking server" in str(w.message)]) == 1


def test_wandb_identity_variables_are_honoured(tmp_path, monkeypatch, read_back):
    monkeypatch.setenv("WANDB_NAME", "nice name")
    monkeypatch.setenv("WANDB_NOTES", "some notes")
    monkeypatch.setenv("WANDB_TAGS", "a, b,c")
    monkeypatch.setenv("WANDB_RUN_GROUP", "grp")
    monkeypatch.setenv("WANDB_JOB_TYPE", "train")
    monkeypatch.setenv("TIDELOG_NAME", "ours wins")
    run = tidelog.init(project="s", dir=tmp_path)
    run.finish()
    r = read_back(run)
    assert (r.name, r.notes, r.tags, r.group, r.job_type) == ("ours wins", "some notes", ["a", "b", "c"],
                                                                "grp", "train")


def test_wandb_resume_variable_resumes(tmp_path, monkeypatch):
    first = tidelog.init(project="s", dir=tmp_path, id="again")
    first.log({"x": 1.0})
    first.finish()
    monkeypatch.setenv("WANDB_RESUME", "allow")
    run = tidelog.init(project="s", dir=tmp_path, id="again")
    assert run.resumed and run.step == 1
    run.finish()
    assert RunState.load(run.dir).last_step == 0


def test_reader_side_settings_follow_the_same_precedence(monkeypatch, tmp_path):
    from tidelog import settings

    for name in ("TIDELOG_DIR", "WANDB_DIR", "TIDELOG_SERVER", "TIDELOG_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert settings.read_dir() == "."
    monkeypatch.setenv("WANDB_DIR", str(tmp_path / "w"))
    assert settings.read_dir() == str(tmp_path / "w")
    monkeypatch.setenv("TIDELOG_DIR", "")                      # empty counts as unset
    assert settings.read_dir() == str(tmp_path / "w")
    monkeypatch.setenv("TIDELOG_DIR", str(tmp_path / "t"))
    assert settings.read_dir() == str(tmp_path / "t")
    assert settings.read_dir(tmp_path / "arg") == str(tmp_path / "arg")
    assert settings.server_url() is None
    monkeypatch.setenv("TIDELOG_SERVER", "http://127.0.0.1:9")
    assert settings.server_url() == "http://127.0.0.1:9" and settings.server_url("http://x") == "http://x"
    monkeypatch.setenv("TIDELOG_API_KEY", "k")
    assert settings.api_key() == "k" and settings.api_key("") == ""
