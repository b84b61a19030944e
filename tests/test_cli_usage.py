"""What a user types at the CLI: every RUN-taking command accepts what ``show``
accepts, ``--json`` is strict JSON (``JSON.parse`` and ``jq``), ``--help`` is
plain text, and a wrong path is named with what it is and a non-zero exit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from _cli_helpers import _cli, _no_env  # noqa: F401  (_no_env: an autouse fixture)

import tidelog
from tidelog.cli.main import SUBCOMMANDS, build_parser


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """One finished run, id ``odd``, whose history and summary hold NaN and both infinities."""
    where = tmp_path_factory.mktemp("cli")
    run = tidelog.init(dir=str(where), project="demo", id="odd", config={"lr": float("inf")})
    run.log({"loss": 0.5, "nan": float("nan"), "pinf": float("inf"), "ninf": float("-inf")})
    run.log({"loss": 0.25})  # nan/pinf/ninf missing from this row
    run.summary["best"] = float("nan")
    run.finish()
    return where


def _run_dir(base: Path) -> Path:
    (found,) = (base / "tidelog").glob("run-*-odd")
    return found


# -- verify and dump take what show takes -------------------------------------------


@pytest.mark.parametrize("command", ["verify", "dump", "show"])
def test_run_commands_accept_ids_and_the_base_directory(base, command, tmp_path):
    by_dir = _cli(command, _run_dir(base))
    assert by_dir.returncode == 0, by_dir.stderr
    for args, kw in [
        (["odd", "--dir", base], {}),
        (["demo/odd", "--dir", base], {}),
        (["entity/demo/odd", "--dir", base], {}),
        (["odd"], {"cwd": base}),
        (["demo/odd"], {"env": {"TIDELOG_DIR": str(base)}, "cwd": tmp_path}),
        ([base / "tidelog" / "latest-run"], {}),
    ]:
        out = _cli(command, *args, **kw)
        assert out.returncode == 0, (args, out.stderr)
        same = [ln for ln in out.stdout.splitlines() if not ln.startswith(("WAL ", "dir "))]
        assert same == [ln for ln in by_dir.stdout.splitlines() if not ln.startswith(("WAL ", "dir "))], args


def test_verify_and_dump_name_an_unknown_run(base):
    for command in ("verify", "dump"):
        out = _cli(command, "demo/nosuch", "--dir", base)
        assert out.returncode == 2 and "no run 'demo/nosuch' under" in out.stderr and out.stdout == ""


# -- --json is strict JSON -----------------------------------------------------------


def _strict(text: str):
    """Python's parser with the non-standard NaN/Infinity tokens refused, as JSON.parse and jq refuse them."""
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def _other_parsers_accept(text: str) -> None:
    if shutil.which("jq"):
        out = subprocess.run(["jq", "-e", "."], input=text, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
    if shutil.which("node"):
        out = subprocess.run(["node", "-e", "JSON.parse(require('fs').readFileSync(0, 'utf8'))"],
                             input=text, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("args", [["show", "odd", "--json"], ["ls", "--json"], ["verify", "odd", "--json"],
                                  ["verify", "nosuch", "--json"]])
def test_every_json_output_is_strict_json(base, args):
    out = _cli(*args, "--dir", base) if args[0] != "ls" else _cli(*args, base)
    assert out.stdout.strip(), out.stderr
    _strict(out.stdout)
    _other_parsers_accept(out.stdout)


def test_non_finite_values_are_strings_distinct_from_missing(base):
    shown = _strict(_cli("show", "odd", "--dir", base, "--json").stdout)
    first, second = shown["history"]
    assert (first["nan"], first["pinf"], first["ninf"]) == ("NaN", "Infinity", "-Infinity")
    assert "nan" not in second and "pinf" not in second  # missing stays missing
    assert shown["summary"]["best"] == "NaN"
    assert shown["config"]["lr"] == "Infinity"
    assert float(first["nan"]) != float(first["nan"]) and float(first["ninf"]) == float("-inf")


# -- --help is plain text --------------------------------------------------------------


def _helps() -> dict[str, str]:
    parser = build_parser()
    out = {"tidelog": parser.format_help()}
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    out.update({name: p.format_help() for name, p in sub.choices.items()})
    return out


def test_help_is_plain_text():
    helps = _helps()
    assert len(helps) == len(SUBCOMMANDS) + 1
    for name, text in helps.items():
        assert "``" not in text and ":func:" not in text and ":class:" not in text, f"{name} --help:\n{text}"


def test_help_through_the_console_entry_point():
    out = _cli("verify", "--help")
    assert out.returncode == 0 and "``" not in out.stdout and "tidelog verify RUN" in out.stdout


# -- wrong paths ---------------------------------------------------------------------


def test_ls_of_a_run_directory_says_what_it_is(base):
    run_dir = _run_dir(base)
    for path in (run_dir, run_dir / "wal"):
        out = _cli("ls", path)
        assert out.returncode == 2 and "is a run directory" in out.stderr and "tidelog show" in out.stderr, path
        assert out.stdout == ""
    out = _cli("ls", run_dir / "wal" / "000001.wal")
    assert out.returncode == 2 and "not a directory" in out.stderr


def test_show_of_a_wrong_path_says_what_it_is(base, tmp_path):
    cases = {
        base: "is a directory of runs",
        tmp_path: "is not a run directory",
        tmp_path / "missing": "no such run directory",
        Path(os.__file__): "is a file",
    }
    for path, says in cases.items():
        out = _cli("show", path)
        assert out.returncode == 1 and says in out.stderr and str(path) in out.stderr, (path, out.stderr)
        assert out.stdout == ""
    wal = _cli("show", _run_dir(base) / "wal")  # the run's WAL directory names the run
    assert wal.returncode == 0 and "demo/odd" in wal.stdout
