"""``tidelog import wandb``: runs written by a real ``wandb`` (0.31, offline) read back through tidelog.

``wandb`` is an optional test dependency (``.[wandb-import-test]``, installed by .ci/run); the
import itself never imports it. Here wandb writes the runs, and its own protobuf classes are
the oracle that checks the hand-decoded field table.
"""

from __future__ import annotations

import glob
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _integration_helpers import SCRIPTS, offline_env, plain_row
from PIL import Image

import tidelog
from tidelog.cli.main import main
from tidelog.importers.leveldb_log import BLOCK, LogReport, read_payloads
from tidelog.importers.wandb_records import decode
from tidelog.importers.wandb_run import import_run
from tidelog.wal.reader import WalReader

pytest.importorskip("wandb", reason="wandb is not installed (pip install -e '.[wandb-import-test]')")
ROWS = 300


def _write(tmp: Path, run_id: str, how: str) -> tuple[Path, dict]:
    record = tmp / f"{run_id}.json"
    cmd = [sys.executable, str(SCRIPTS / "wandb_writer.py"), str(tmp / "wb"), run_id, str(ROWS), how, str(record)]
    env = offline_env(tmp)
    if how == "finish":
        proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr[-4000:]
    else:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            while not (line := proc.stdout.readline()).startswith("READY"):
                assert line, proc.stderr.read()[-4000:]
            _wait_stable(tmp / "wb", run_id)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the script and wandb's service process, mid-run
            proc.communicate(timeout=30)
    (log,) = glob.glob(str(tmp / "wb" / "wandb" / f"offline-run-*-{run_id}" / f"run-{run_id}.wandb"))
    return Path(log), json.loads(record.read_text())


def _wait_stable(base: Path, run_id: str) -> None:
    last, deadline = -1, time.monotonic() + 60
    while time.monotonic() < deadline:
        found = glob.glob(str(base / "wandb" / f"offline-run-*-{run_id}" / f"run-{run_id}.wandb"))
        size = os.path.getsize(found[0]) if found else -1
        if size == last and size > 4096:
            return
        last = size
        time.sleep(0.3)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wbfin")
    log, rec = _write(tmp, "wbfin1", "finish")
    assert main(["import", "wandb", str(tmp / "wb" / "wandb"), "--dir", str(tmp / "imported")]) == 0
    return log, rec, tidelog.Api(dir=tmp / "imported").run("wbp/wbfin1")


def _same(a, b) -> bool:
    return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or a == b


def test_history_is_what_wandb_logged(finished):
    log, rec, run = finished
    rows = [plain_row(r) for r in run.scan_history()]
    assert len(rows) == len(rec["rows"]) == ROWS + 2
    assert [r["_step"] for r in run.scan_history()] == list(range(ROWS + 2))
    for got, want in zip(rows, rec["rows"]):
        if "img" in want:
            img = got["img"]
            assert img["_type"] == "image-file" and img["caption"] == "seven"
            assert np.all(np.asarray(Image.open(Path(run.dir) / img["path"])) == 7)
        elif "tab" in want:
            table = json.loads((Path(run.dir) / got["tab"]["path"]).read_text())
            assert table["columns"] == ["a", "b"] and table["data"] == [[1, "x"], [2, "y"]]
        else:
            assert set(got) == set(want) and all(_same(got[k], v) for k, v in want.items()), (got, want)
    assert math.isnan(rows[2]["odd"]) and rows[7]["odd"] == math.inf  # rows 4 and 6 hold the image and table


def test_identity_config_summary_state(finished):
    log, rec, run = finished
    assert (run.id, run.name, run.project, run.tags, run.notes) == ("wbfin1", "wb-run", "wbp", ["t1"], "imported")
    assert run.state == "finished"
    assert run.config == {"lr": 0.01, "layers": [1, 2], "opt": {"name": "adam", "beta": 0.9}}
    assert run.summary["best"] == 0.125 and run.summary["loss"] == -1.0  # set by the user in W&B
    assert run.summary["i"] == ROWS - 1 and run.summary["nested.a"] == 2 * (ROWS - 1)  # last logged
    assert run.summary["img"]["_type"] == "image-file"


def _records(run) -> list:
    return list(WalReader(Path(run.dir) / "wal").records())


def test_console_system_metrics_and_files(finished):
    log, rec, run = finished
    records = _records(run)
    console = [(r.console.stream, r.console.text) for r in records if r.WhichOneof("kind") == "console"]
    assert (tidelog.records.pb.ConsoleOutput.STDOUT, "stdout line one") in console
    assert (tidelog.records.pb.ConsoleOutput.STDERR, "stderr line one") in console
    from wandb.proto import wandb_internal_pb2 as wpb

    expected = []
    for payload in read_payloads(log):
        r = wpb.Record.FromString(payload)
        if r.WhichOneof("record_type") == "stats":
            values = {f"system/{i.key}": json.loads(i.value_json) for i in r.stats.item}
            expected.append({k: float(v) for k, v in values.items() if isinstance(v, (int, float))})
    got = [dict(r.stats.stats) for r in records if r.WhichOneof("kind") == "stats"]
    assert got == expected and len(got) >= 1 and "system/memory_percent" in got[0]
    assert (Path(run.dir) / "files" / "output.log").read_text().startswith("stdout line one")
    files = {r.file.path for r in records if r.WhichOneof("kind") == "file"}
    assert "files/output.log" in files and any(p.startswith("media/images/") for p in files)


def test_the_hand_decoded_fields_match_wandbs_own_schema(finished):
    from wandb.proto import wandb_internal_pb2 as wpb

    log, rec, run = finished
    seen = set()
    for payload in read_payloads(log):
        ref = wpb.Record.FromString(payload)
        kind, value = decode(payload)
        want = ref.WhichOneof("record_type")
        assert kind == (want if want in ("history", "summary", "config", "run", "exit", "stats", "output_raw",
                                         "output", "files", "metric", "alert", "environment") else "other")
        seen.add(kind)
        if kind == "history":
            assert [(i["path"], i["value"]) for i in value["items"]] == [
                (list(i.nested_key) or [i.key], json.loads(i.value_json)) for i in ref.history.item] or any(
                isinstance(i["value"], float) and math.isnan(i["value"]) for i in value["items"])
        elif kind == "run":
            r = ref.run
            assert (value["run_id"], value["project"], value["name"], value["tags"]) == (
                r.run_id, r.project, r.display_name, list(r.tags))
            assert value["start_time"] == r.start_time.seconds + r.start_time.nanos / 1e9
        elif kind == "exit":
            assert value["exit_code"] == ref.exit.exit_code
        elif kind == "output_raw":
            assert value["line"] == ref.output_raw.line
            assert value["stream"] == ("stdout" if ref.output_raw.output_type == 1 else "stderr")
    assert {"history", "summary", "run", "exit", "stats", "output_raw", "files"} <= seen


def test_a_run_killed_mid_run_imports_what_it_holds(tmp_path):
    log, rec = _write(tmp_path, "wbkill1", "hang")
    assert main(["import", "wandb", str(log.parent), "--dir", str(tmp_path / "imported")]) == 0
    run = tidelog.Api(dir=tmp_path / "imported").run("wbkill1")
    assert run.state == "crashed"
    rows = [plain_row(r) for r in run.scan_history()]
    assert 0 < len(rows) <= len(rec["rows"])
    for got, want in zip(rows, rec["rows"]):
        if "img" not in want and "tab" not in want:
            assert all(_same(got[k], v) for k, v in want.items())
    notes = [r.notice.message for r in _records(run) if r.WhichOneof("kind") == "notice"]
    assert any("without an exit record" in n for n in notes)


def test_a_torn_tail_imports_every_record_before_the_cut(finished, tmp_path):
    log, rec, full = finished
    full_rows = [plain_row(r) for r in full.scan_history()]
    data = log.read_bytes()
    assert len(data) > 2 * BLOCK  # fragments cross block boundaries
    previous = 0
    for i, cut in enumerate(sorted({7, 20, 500, BLOCK - 3, BLOCK + 11, len(data) // 2, len(data) - 40,
                                    *range(1000, len(data), 7919)})):
        src = tmp_path / f"cut{i}" / "offline-run-x-wbfin1"
        src.mkdir(parents=True)
        (src / "run-wbfin1.wandb").write_bytes(data[:cut])
        result = import_run(src / "run-wbfin1.wandb", tmp_path / f"out{i}")
        has_exit = any(decode(p)[0] == "exit" for p in read_payloads(src / "run-wbfin1.wandb"))
        assert result.log.dropped_bytes == 0 and result.state == ("finished" if has_exit else "crashed")
        assert result.log.tail_bytes == cut - _intact_bytes(data[:cut])
        run = tidelog.Api(dir=tmp_path / f"out{i}").run("wbfin1")
        rows = [plain_row(r) for r in run.scan_history()]
        assert len(rows) >= previous
        assert all(all(_same(a[k], b[k]) for k in b) and set(a) == set(b) for a, b in zip(rows, full_rows))
        previous = len(rows)
    assert previous > ROWS // 2


def _intact_bytes(data: bytes) -> int:
    """Bytes of whole records (with block padding) before a cut: what the reader keeps."""
    import struct
    import zlib

    pos, good = 7, 7
    while pos + 7 <= len(data):
        left = BLOCK - pos % BLOCK
        if left < 7:
            pos += left
            continue
        crc, n, kind = struct.unpack_from("<IHB", data, pos)
        if pos + 7 + n > len(data) or zlib.crc32(bytes((kind,)) + data[pos + 7:pos + 7 + n]) & 0xFFFFFFFF != crc:
            break
        pos += 7 + n
        if kind in (1, 4):
            good = pos
    return good


def test_damage_in_the_middle_is_skipped_and_reported(finished, tmp_path):
    log, rec, full = finished
    data = bytearray(log.read_bytes())
    data[BLOCK + 100] ^= 0xFF  # inside the second block
    src = tmp_path / "offline-run-x-wbfin1"
    src.mkdir()
    (src / "run-wbfin1.wandb").write_bytes(bytes(data))
    report = LogReport()
    assert sum(1 for _ in read_payloads(src / "run-wbfin1.wandb", report)) > 0
    assert report.dropped_bytes > 0 and report.damage[0][0] <= BLOCK + 100 < report.damage[0][0] + BLOCK
    result = import_run(src / "run-wbfin1.wandb", tmp_path / "out")
    assert result.state == "finished"  # the exit record is after the damage
    run = tidelog.Api(dir=tmp_path / "out").run("wbfin1")
    steps = [r["_step"] for r in run.scan_history()]
    assert len(steps) < ROWS + 2 and steps[-1] == ROWS + 1  # rows past the damaged block are kept
    notes = [r.notice.message for r in _records(run) if r.WhichOneof("kind") == "notice"]
    assert any("damage" in n for n in notes)


def test_refusals_are_named(finished, tmp_path, capsys):
    log, rec, run = finished
    dest = Path(run.dir).parent.parent
    assert main(["import", "wandb", str(log), "--dir", str(dest)]) == 1
    assert "already under" in capsys.readouterr().err
    bogus = tmp_path / "run-zzz.wandb"
    bogus.write_bytes(b"not a wandb log at all")
    assert main(["import", "wandb", str(bogus), "--dir", str(tmp_path / "o")]) == 1
    assert "not a W&B transaction log" in capsys.readouterr().err
    assert not list((tmp_path / "o").rglob("run-*"))  # nothing half-imported is left
    assert main(["import", "wandb", str(tmp_path / "missing"), "--dir", str(tmp_path / "o")]) == 1
