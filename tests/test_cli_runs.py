"""``tidelog ls`` and ``tidelog show`` through the real console entry point (``python -m tidelog``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from _cli_helpers import _cli, _no_env  # noqa: F401  (_no_env: an autouse fixture)

import tidelog


@pytest.fixture
def runs(tmp_path):
    """Three runs under tmp_path: finished (demo), failed (demo), finished with nothing logged (other)."""
    first = tidelog.init(dir=str(tmp_path), project="demo", name="baseline", config={"lr": 0.1, "layers": [64, 64]})
    for i in range(25):
        first.log({"loss": 1.0 / (i + 1), "epoch": i // 5})
    first.log({"note": "done", "weird": float("nan")})
    first.summary["best_loss"] = 0.04
    first.summary["tensor"] = np.arange(100, dtype=np.float64)
    first.finish()
    second = tidelog.init(dir=str(tmp_path), project="demo")
    second.log({"loss": 3.0})
    tidelog.finish(exit_code=2)
    third = tidelog.init(dir=str(tmp_path), project="other", name="empty")
    third.finish()
    return {"first": first, "second": second, "third": third, "dir": tmp_path}


# -- ls -------------------------------------------------------------------------


def test_ls_text(runs):
    out = _cli("ls", runs["dir"])
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["ID", "PROJECT", "NAME", "STATE", "STEPS", "SIZE", "CREATED", "SYNCED"]
    assert len(lines) == 4
    by_id = {line.split()[0]: line.split() for line in lines[1:]}
    first = by_id[runs["first"].id]
    assert first[1:6] == ["demo", "baseline", "finished", "26", first[5]]
    assert first[6] in ("B", "KiB", "MiB")  # "1.3 KiB": number and unit
    assert by_id[runs["second"].id][1:5] == ["demo", runs["second"].id, "failed", "1"]
    assert by_id[runs["third"].id][1:5] == ["other", "empty", "finished", "0"]
    # oldest first
    assert [line.split()[0] for line in lines[1:]] == [runs["first"].id, runs["second"].id, runs["third"].id]


def test_ls_json(runs):
    out = _cli("ls", runs["dir"], "--json")
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [r["id"] for r in listed] == [runs["first"].id, runs["second"].id, runs["third"].id]
    first = listed[0]
    assert {k: first[k] for k in ("project", "name", "state", "steps", "last_step", "synced", "damage")} == {
        "project": "demo", "name": "baseline", "state": "finished", "steps": 26, "last_step": 25,
        "synced": [], "damage": 0}
    on_disk = sum(p.stat().st_size for p in __import__("pathlib").Path(first["dir"]).rglob("*")
                  if p.is_file() and not p.is_symlink())
    assert first["size"] == on_disk > 0
    assert abs(first["created_unix"] - runs["first"].start_time) < 1e-3
    assert first["created"][:4].isdigit() and "T" in first["created"]
    assert os.path.samefile(first["dir"], runs["first"].dir)


def test_ls_project_filter_and_tidelog_root(runs):
    out = _cli("ls", runs["dir"] / "tidelog", "--project", "other", "--json")
    assert [r["id"] for r in json.loads(out.stdout)] == [runs["third"].id]


def test_ls_defaults_to_the_working_directory_or_tidelog_dir(runs, tmp_path_factory):
    out = _cli("ls", "--json", cwd=runs["dir"])
    assert len(json.loads(out.stdout)) == 3
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    out = _cli("ls", "--json", cwd=elsewhere, env={"TIDELOG_DIR": str(runs["dir"])})
    assert len(json.loads(out.stdout)) == 3


def test_ls_empty_and_missing_directories(tmp_path):
    out = _cli("ls", tmp_path)
    assert out.returncode == 0 and out.stdout == "" and "no runs" in out.stderr
    assert json.loads(_cli("ls", tmp_path, "--json").stdout) == []
    missing = _cli("ls", tmp_path / "nope")
    assert missing.returncode == 2 and "no such directory" in missing.stderr


def test_ls_shows_a_live_run_as_running(tmp_path):
    run = tidelog.init(dir=str(tmp_path), project="live")
    run.log({"a": 1.0})
    try:
        import time

        deadline = time.monotonic() + 10
        while True:
            listed = json.loads(_cli("ls", tmp_path, "--json").stdout)
            if (listed and listed[0]["project"] == "live") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [(r["id"], r["state"]) for r in listed] == [(run.id, "running")]
    finally:
        run.finish()
    assert json.loads(_cli("ls", tmp_path, "--json").stdout)[0]["state"] == "finished"


# -- show ------------------------------------------------------------------------


def test_show_text_by_project_and_id(runs):
    first = runs["first"]
    out = _cli("show", f"demo/{first.id}", "--dir", runs["dir"], "--rows", "3")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert f"demo/{first.id} (baseline)" in text
    assert "finished" in text and "26 rows, last step 25" in text
    config = text.split("config")[1].split("summary")[0]
    assert "lr" in config and "0.1" in config and "[64,64]" in config
    summary = text.split("summary")[1].split("history")[0]
    assert "best_loss" in summary and "0.04" in summary and "<array-file media/arrays/" in summary
    assert "loss" in summary and "weird" in summary and "nan" in summary
    history = text.split("history")[1].splitlines()
    assert "last 3 of 26 rows" in history[0]
    assert history[1].split()[:3] == ["_step", "loss", "epoch"]
    assert [line.split()[0] for line in history[2:]] == ["23", "24", "25"]
    assert "done" in history[-1]


def test_show_json_by_id_and_by_directory(runs):
    first = runs["first"]
    by_id = _cli("show", first.id, "--dir", runs["dir"], "--json", "--rows", "2")
    by_dir = _cli("show", first.dir, "--json", "--rows", "2")
    assert by_id.returncode == by_dir.returncode == 0, by_id.stderr + by_dir.stderr
    a, b = json.loads(by_id.stdout), json.loads(by_dir.stdout)
    a.pop("dir"), b.pop("dir")
    assert a == b
    assert (a["id"], a["project"], a["name"], a["state"], a["rows"], a["last_step"]) == (
        first.id, "demo", "baseline", "finished", 26, 25)
    assert a["config"] == {"lr": 0.1, "layers": [64, 64]}
    assert a["summary"]["best_loss"] == 0.04 and a["summary"]["loss"] == 1.0 / 25
    assert a["summary"]["tensor"]["_type"] == "array-file" and a["summary"]["tensor"]["max"] == 99.0
    assert [row["_step"] for row in a["history"]] == [24, 25]
    assert a["history"][-1]["note"] == "done" and a["history"][-1]["weird"] == "NaN"  # strict JSON: a string
    assert {"_timestamp", "_runtime"} <= set(a["history"][0])
    assert a["exit"] == {"exit_code": 0, "traceback": ""}


def test_show_failed_run_and_latest_run_link(runs):
    second = runs["second"]
    out = _cli("show", f"entity/demo/{second.id}", "--dir", runs["dir"], "--json")
    shown = json.loads(out.stdout)
    assert shown["state"] == "failed" and shown["exit"]["exit_code"] == 2
    text = _cli("show", second.id, "--dir", runs["dir"]).stdout
    assert "failed (exit code 2)" in text
    latest = _cli("show", runs["dir"] / "tidelog" / "latest-run", "--json", "--rows", "0")
    shown = json.loads(latest.stdout)
    assert shown["id"] == runs["third"].id and shown["history"] == [] and shown["rows"] == 0


def test_show_rows_zero_and_empty_run(runs):
    out = _cli("show", f"other/{runs['third'].id}", "--dir", runs["dir"], "--rows", "0")
    assert out.returncode == 0
    assert "history" not in out.stdout and "config  (empty)" in out.stdout and "0 rows" in out.stdout


def test_show_traceback_of_a_crashed_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import sys, tidelog\n"
        "tidelog.init(dir=sys.argv[1], project='p', id='crashy')\n"
        "tidelog.log({'a': 1})\n"
        "raise KeyError('missing-thing')\n"
    )
    subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, timeout=60)
    text = _cli("show", "p/crashy", "--dir", tmp_path).stdout
    assert "failed" in text and "KeyError: 'missing-thing'" in text
    shown = json.loads(_cli("show", "crashy", "--dir", tmp_path, "--json").stdout)
    assert "Traceback" in shown["exit"]["traceback"] and "train.py" in shown["exit"]["traceback"]


def test_show_unknown_run_and_bad_arguments(runs):
    out = _cli("show", "demo/nosuchrun", "--dir", runs["dir"])
    assert out.returncode == 1 and "nosuchrun" in out.stderr and out.stdout == ""
    wrong_project = _cli("show", f"other/{runs['first'].id}", "--dir", runs["dir"])
    assert wrong_project.returncode == 1
    assert _cli("show", "a/b/c/d", "--dir", runs["dir"]).returncode == 1
    assert _cli("show", runs["first"].id, "--dir", runs["dir"], "--rows", "-1").returncode == 2


def test_help_lists_ls_and_show():
    out = _cli("--help")
    assert out.returncode == 0 and " ls " in out.stdout and " show " in out.stdout
