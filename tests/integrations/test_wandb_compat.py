"""The W&B names third-party clients call beyond ``log()``: artifacts, terminal messages, attach.

They resolve on ``tidelog`` (so ``import tidelog as wandb`` works) without being in ``__all__``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tidelog
from tidelog.api import lifecycle


@pytest.fixture(autouse=True)
def _no_run_outlives_its_test(monkeypatch):
    for name in ("TIDELOG_DIR", "WANDB_DIR", "TIDELOG_MODE", "WANDB_MODE", "TIDELOG_RUN_ID", "WANDB_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    yield
    if lifecycle.current() is not None:
        lifecycle.current().finish()


def test_compat_names_resolve_outside_all():
    for name in ("termlog", "termwarn", "termerror", "require", "_attach", "login", "Artifact", "log_artifact",
                 "use_artifact", "log_model", "Settings", "setup", "teardown"):
        assert getattr(tidelog, name) is not None, name
        assert name not in tidelog.__all__
    with pytest.raises(AttributeError):
        tidelog.sweep


def test_import_tidelog_does_not_load_the_compat_extras_or_torch():
    code = ("import sys, tidelog\n"
            "print(','.join(m for m in ('tidelog.api.artifact', 'tidelog.compat.names', 'torch',"
            " 'lightning', 'transformers', 'tidelog.integration.lightning') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""


def test_artifacts_become_run_files_with_a_manifest(tmp_path):
    src = tmp_path / "weights.bin"
    src.write_bytes(b"\x00\x01" * 1000)
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "a.txt").write_text("alpha")
    (tmp_path / "ckpt" / "sub").mkdir()
    (tmp_path / "ckpt" / "sub" / "b.txt").write_text("beta")
    run = tidelog.init(dir=tmp_path, project="art")
    art = tidelog.Artifact("model-x", type="model", metadata={"score": 0.5, "obj": object()})
    art.add_file(src, name="model.bin")
    art.add_dir(tmp_path / "ckpt", name="checkpoint")
    with art.new_file("notes.txt", mode="w") as f:
        f.write("hello")
    with pytest.warns(tidelog.TidelogWarning, match="stored as files of the run"):
        assert run.log_artifact(art, aliases=["best"]) is art
    assert art.version == "v0" and art.aliases == ["latest", "best"]
    again = tidelog.Artifact("model-x", type="model")
    again.add_file(src)
    tidelog.log_artifact(again)  # the module-level call; warned once already
    assert again.version == "v1"
    run.finish()

    base = Path(run.dir) / "files" / "artifacts" / "model-x"
    assert (base / "v0" / "model.bin").read_bytes() == src.read_bytes()
    assert (base / "v0" / "checkpoint" / "sub" / "b.txt").read_text() == "beta"
    assert (base / "v0" / "notes.txt").read_text() == "hello"
    assert (base / "v1" / "weights.bin").read_bytes() == src.read_bytes()
    manifest = json.loads((base / "v0" / "manifest.json").read_text())
    assert manifest["type"] == "model" and manifest["aliases"] == ["latest", "best"]
    assert manifest["metadata"]["score"] == 0.5 and manifest["metadata"]["obj"].startswith("<object")
    files = {f["name"]: f for f in manifest["files"]}
    assert set(files) == {"model.bin", "checkpoint/a.txt", "checkpoint/sub/b.txt", "notes.txt"}
    assert files["model.bin"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    from tidelog.read.run import RunState
    from tidelog.wal.reader import WalReader

    recorded = [r.file.path for r in WalReader(Path(run.dir) / "wal").records() if r.WhichOneof("kind") == "file"]
    assert sorted(recorded) == sorted([f["path"] for f in files.values()] + ["files/artifacts/model-x/v1/weights.bin"])
    assert RunState.load(run.dir).state == "finished"


def test_artifact_mistakes_are_named(tmp_path):
    with pytest.raises(ValueError, match="name must be"):
        tidelog.Artifact("bad name/with slash", type="model")
    with pytest.raises(ValueError, match="type must be"):
        tidelog.Artifact("ok", type="")
    art = tidelog.Artifact("ok", type="dataset")
    with pytest.raises(FileNotFoundError, match="missing.bin"):
        art.add_file(tmp_path / "missing.bin")
    with pytest.raises(ValueError, match="relative path"):
        with art.new_file("../escape.txt"):
            pass
    with pytest.raises(tidelog.UsageError, match="no artifact registry"):
        art.download()
    with pytest.raises(tidelog.UsageError, match="call tidelog.init"):
        tidelog.log_artifact(art)


def test_use_artifact_by_name_needs_a_registry_and_a_path_is_wrapped(tmp_path):
    run = tidelog.init(dir=tmp_path, project="art")
    with pytest.raises(tidelog.UsageError, match="no artifact registry offline"):
        run.use_artifact("entity/project/model:latest")
    f = tmp_path / "data.csv"
    f.write_text("a,b\n1,2\n")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tidelog.TidelogWarning)
        art = run.log_artifact(f, type="dataset")
    assert art.name == f"run-{run.id}-data.csv" and art.type == "dataset"
    assert (Path(run.dir) / "files" / "artifacts" / art.name / "v0" / "data.csv").read_text() == "a,b\n1,2\n"


def test_disabled_runs_accept_the_same_calls(tmp_path):
    run = tidelog.init(mode="disabled")
    assert isinstance(run, tidelog.RunDisabled)
    art = tidelog.Artifact("m", type="model")
    assert run.log_artifact(art) is art and art.version is None
    run._label(code="x")
    assert tidelog._attach(run.id) is run


def test_attach_with_no_run_to_attach_to_says_how_one_is_reached(tmp_path, monkeypatch):
    monkeypatch.delenv("TIDELOG_ATTACH", raising=False)   # no run's process started this one
    with pytest.raises(tidelog.UsageError, match=r"no run to attach to.*run\._attach_id"):
        tidelog._attach("someone-elses-run")


def test_terminal_messages(capsys, monkeypatch):
    monkeypatch.delenv("WANDB_SILENT", raising=False)
    monkeypatch.delenv("TIDELOG_SILENT", raising=False)
    tidelog.termlog("hello\nworld")
    tidelog.termerror("broken")
    tidelog.termwarn("only once, unique-7f3a", repeat=False)
    tidelog.termwarn("only once, unique-7f3a", repeat=False)
    err = capsys.readouterr().err
    assert err == ("tidelog: hello\ntidelog: world\ntidelog: ERROR broken\n"
                   "tidelog: WARNING only once, unique-7f3a\n")
    monkeypatch.setenv("WANDB_SILENT", "true")
    tidelog.termwarn("silenced")
    assert capsys.readouterr().err == ""
