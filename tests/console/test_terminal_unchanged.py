"""The terminal shows, byte for byte, what it showed without capture, and the run stores the lines.

A real training script runs with capture on (the default ``wrap``, and ``redirect``) and with
``console="off"``, under a pseudo-terminal and under pipes; the bytes the terminal (or the pipes)
received must be equal. ``wrap`` stores what went through ``sys.stdout``/``sys.stderr``;
``redirect`` also stores ``os.write`` on fd 1 and child processes.
"""

from __future__ import annotations

import pytest
from _console_helpers import PY, clean_env, only_run, run_pipes, run_pty, stored_lines, write_script

import tidelog

SCRIPT = r'''
import os, subprocess, sys, time
import tidelog

base, mode = sys.argv[1], sys.argv[2]
run = tidelog.init(dir=base, project="c", settings=None if mode == "auto" else {"console": mode})
print("isatty", sys.stdout.isatty(), os.isatty(2))
print("plain line")
print("\x1b[1;32mgreen bold\x1b[0m and \x1b[31mred\x1b[0m")
for i in range(5):
    print(f"\rstep {i}/4 " + "#" * i, end="", flush=True)
    time.sleep(0.01)
print(flush=True)
print("to stderr", file=sys.stderr, flush=True)
print("back to stdout", flush=True)
os.write(1, b"raw fd write\n")
subprocess.run(["sh", "-c", "echo from a child; echo child err >&2"])
print("unicode: \u00e9\u4e2d \u2713", flush=True)
print("abcdef\rXY", flush=True)
run.log({"x": 1})
print("last, no newline", end="", flush=True)
run.finish()
print(" after finish")
'''

EXPECTED_LINES = ["isatty {tty} {tty}", "plain line", "\x1b[1;32mgreen bold\x1b[0m and \x1b[31mred\x1b[0m",
                  "step 4/4 ####", "to stderr", "back to stdout", "raw fd write", "from a child", "child err",
                  "unicode: \u00e9\u4e2d \u2713", "XYcdef", "last, no newline"]


NOT_IN_WRAP = {"raw fd write", "from a child", "child err"}   # they bypass sys.stdout/sys.stderr
MODES = ["auto", "redirect"]   # auto is the Python-level wrap


def expected(mode: str, tty: bool) -> list[str]:
    return [x.format(tty=tty) for x in EXPECTED_LINES if mode == "redirect" or x not in NOT_IN_WRAP]


def _runs(tmp_path, runner, mode):
    outs = {}
    for name, setting in (("on", mode), ("off", "off")):
        base = tmp_path / name
        script = write_script(tmp_path, SCRIPT)
        outs[name] = runner([PY, str(script), str(base), setting])
    return outs


@pytest.mark.parametrize("mode", MODES)
def test_pty_bytes_identical_and_lines_stored(tmp_path, mode):
    outs = _runs(tmp_path, lambda cmd: run_pty(cmd, clean_env(), tmp_path), mode)
    (on, rc_on), (off, rc_off) = outs["on"], outs["off"]
    assert rc_on == rc_off == 0, (on[-3000:], off[-3000:])
    assert on == off
    assert b"isatty True True" in on           # programs still see a terminal: colours stay on
    assert b"\x1b[1;32mgreen bold" in on and b"\rstep 3/4 ###\rstep 4/4 ####" in on

    lines = stored_lines(only_run(tmp_path / "on"))
    assert [text for _s, _t, text in lines] == expected(mode, tty=True)
    if mode == "redirect":
        assert {s for s, _t, _x in lines} == {"stdout"}  # one terminal: one channel, order kept exactly
    else:
        assert [t for s, _t, t in lines if s == "stderr"] == ["to stderr"]   # sys.stderr stays apart
    assert not list((tmp_path / "off" / "tidelog").glob("run-*/files/output.log"))
    assert stored_lines(only_run(tmp_path / "off")) == []


@pytest.mark.parametrize("mode", MODES)
def test_merged_pipe_bytes_identical(tmp_path, mode):
    outs = _runs(tmp_path, lambda cmd: run_pipes(cmd, clean_env(), tmp_path, merged=True), mode)
    assert outs["on"][2] == outs["off"][2] == 0
    assert outs["on"][0] == outs["off"][0]
    texts = [t for _s, _t, t in stored_lines(only_run(tmp_path / "on"))]
    assert sorted(texts) == sorted(expected(mode, tty=False))


@pytest.mark.parametrize("mode", MODES)
def test_separate_pipes_keep_streams_apart(tmp_path, mode):
    outs = _runs(tmp_path, lambda cmd: run_pipes(cmd, clean_env(), tmp_path, merged=False), mode)
    (out_on, err_on, rc_on), (out_off, err_off, rc_off) = outs["on"], outs["off"]
    assert rc_on == rc_off == 0, err_on[-3000:]
    assert (out_on, err_on) == (out_off, err_off)
    lines = stored_lines(only_run(tmp_path / "on"))
    err = [t for s, _t, t in lines if s == "stderr"]
    out = [t for s, _t, t in lines if s == "stdout"]
    assert err == (["to stderr", "child err"] if mode == "redirect" else ["to stderr"])
    assert "to stderr" not in out and out[0] == "isatty False False" and "step 4/4 ####" in out
    run = tidelog.Api(dir=str(tmp_path / "on")).runs()[0]
    log = run.file("output.log").read().decode()
    assert log.endswith("last, no newline\n") and "step 4/4 ####\n" in log and "\r" not in log
    assert (only_run(tmp_path / "on") / "files" / "output.log").read_text().splitlines() == [t for _s, _t, t in lines]


@pytest.mark.parametrize("mode", MODES)
def test_timestamps_are_when_each_line_was_printed(tmp_path, mode):
    script = write_script(tmp_path, r'''
import sys, time, tidelog
run = tidelog.init(dir=sys.argv[1], project="c", settings={"console": sys.argv[2]})
t0 = time.time()
print("first", flush=True)
time.sleep(0.5)
print("second", flush=True)
print(t0, time.time(), file=sys.stderr, flush=True)
run.finish()
''')
    out, err, rc = run_pipes([PY, str(script), str(tmp_path), mode], clean_env(), tmp_path, merged=False)
    assert rc == 0, err
    t0, t1 = map(float, err.split())
    (_, ta, first), (_, tb, second) = [x for x in stored_lines(only_run(tmp_path)) if x[0] == "stdout"]
    assert (first, second) == ("first", "second")
    assert t0 <= ta < tb <= t1 + 1 and tb - ta >= 0.4


@pytest.mark.parametrize("how", ["settings", "wandb_env", "tidelog_env"])
def test_console_off_stores_nothing(tmp_path, how):
    script = write_script(tmp_path, r'''
import sys, tidelog
run = tidelog.init(dir=sys.argv[1], project="c", settings={"console": "off"} if sys.argv[2] == "settings" else None)
print("hello", flush=True)
run.finish()
''')
    env = clean_env(**({"WANDB_CONSOLE": "off"} if how == "wandb_env" else
                       {"TIDELOG_CONSOLE": "off"} if how == "tidelog_env" else {}))
    out, err, rc = run_pipes([PY, str(script), str(tmp_path), how], env, tmp_path, merged=False)
    assert rc == 0 and out == b"hello\n", err
    run_dir = only_run(tmp_path)
    assert stored_lines(run_dir) == [] and not (run_dir / "files" / "output.log").exists()
    with pytest.raises(FileNotFoundError, match="output.log"):
        tidelog.Api(dir=str(tmp_path)).runs()[0].file("output.log")


def test_bad_console_setting_names_it(tmp_path, monkeypatch):
    with pytest.raises(tidelog.errors.SettingsError, match=r"console.*'sideways'.*off"):
        tidelog.init(dir=str(tmp_path), settings={"console": "sideways"})
    monkeypatch.setenv("WANDB_CONSOLE", "nope")
    with pytest.raises(tidelog.errors.SettingsError, match="WANDB_CONSOLE='nope'"):
        tidelog.init(dir=str(tmp_path))
    assert not (tmp_path / "tidelog").exists()
