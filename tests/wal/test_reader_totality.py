"""Readers are total (issue 7, item 3): no value a WAL can hold makes ``tidelog show``,
``tidelog ls``, ``Api().run().scan_history()`` / ``history()`` or the summary raise.

The WAL here is written by hand, record by record, with every odd value a damaged or
hand-made log can carry: reserved keys (``_step``, ``_timestamp``, ``_runtime``) as history
keys with wrong types, text that is not JSON where JSON belongs, non-finite times, key ids
nobody defined, an empty key name, a history block whose byte lengths do not match its
count, and summary/config/metric records with the same. The rows' ``_step``,
``_timestamp`` and ``_runtime`` come from the rows themselves, never from data.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import tidelog
from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal import WalWriter

START = 1000.0


def _item(key: int, **value) -> pb.Item:
    return pb.Item(key=key, value=pb.Value(**value))


def _records() -> list[pb.Record]:
    keys = {1: "_timestamp", 2: "_step", 3: "_runtime", 4: "x", 5: "weird", 6: ""}
    recs = [pb.Record(run_start=pb.RunStart(run_id="bad1", project="p", name="hand", start_time=START))]
    recs += [pb.Record(key=pb.KeyDef(id=i, name=n)) for i, n in keys.items()]
    recs += [
        pb.Record(config=pb.ConfigUpdate(set={"lr": "0.1", "broken": "{not json", "nan": "NaN"})),
        pb.Record(history=pb.HistoryRow(step=0, timestamp=START + 1, float_keys=[4], float_values=[1.0],
                                        items=[_item(1, str="oops"), _item(2, json='"a"'),
                                               _item(3, bool=True), _item(5, json="{not json")])),
        pb.Record(history=pb.HistoryRow(step=1, timestamp=START + 2, float_keys=[1, 4], float_values=[math.nan, 2.0],
                                        int_keys=[2, 3], int_values=[100, -5],
                                        items=[_item(5), _item(6, str="no name"), _item(77, json="[1")])),
        pb.Record(history=pb.HistoryRow(step=2, timestamp=math.nan, float_keys=[4], float_values=[3.0])),
        pb.Record(history=pb.HistoryRow(step=3, timestamp=math.inf, float_keys=[4], float_values=[math.inf])),
        pb.Record(history_block=encode_block(np.array([4, 5]), np.array([START + 5, START + 6]), [1, 4],
                                             np.array([[7.0, 8.0], [4.0, 5.0]]), [2, 3], np.array([[9, 9], [1, 1]]))),
        pb.Record(history_block=pb.HistoryBlock(count=3, steps=b"\x01\x02", float_keys=[4], float_columns=b"x")),
        pb.Record(history=pb.HistoryRow(step=6, timestamp=START + 9, float_keys=[4], float_values=[6.0])),
        pb.Record(summary=pb.SummaryUpdate(set=[_item(2, str="forced"), _item(3, json="{"), _item(1, num=1.0),
                                                _item(5, json="{not json"), _item(99, int=3)],
                                           remove=[42])),
        pb.Record(metric=pb.MetricDef(name="*", summary=["min", "bogus"], goal="sideways")),
        pb.Record(metric=pb.MetricDef(name="x", summary=["best", "mean"], step_metric="_step")),
        pb.Record(metric=pb.MetricDef(name="weird", summary=["max"])),
        pb.Record(notice=pb.Notice(message="hello")),
        pb.Record(exit=pb.RunExit(exit_code=3, time=START + 10, state="")),
    ]
    return recs


@pytest.fixture
def hand_run(tmp_path):
    run_dir = tmp_path / "tidelog" / "run-20260101_000000-bad1"
    with WalWriter(run_dir / "wal", fsync="never") as w:
        seq = 1
        for rec in _records():
            rec.seq = seq  # a block of N rows takes N sequence numbers
            seq += rec.history_block.count if rec.WhichOneof("kind") == "history_block" else 1
            w.append([rec.SerializeToString()])
    return tmp_path, run_dir


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "tidelog", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_api_reads_every_row_with_the_rows_own_step_and_time(hand_run):
    base, _ = hand_run
    run = tidelog.Api(dir=str(base)).run("p/bad1")
    rows = list(run.scan_history())
    steps = [r["_step"] for r in rows]
    assert steps[:4] == [0, 1, 2, 3] and steps[-1] == 6
    for r in rows:
        assert type(r["_step"]) is int and isinstance(r["_timestamp"], float) and isinstance(r["_runtime"], float)
    assert rows[0]["_timestamp"] == START + 1 and rows[0]["_runtime"] == 1.0
    assert rows[1]["_step"] == 1 and rows[1]["x"] == 2.0
    assert rows[0]["weird"] == "{not json"  # kept as the text it is, not raised on
    assert math.isnan(rows[2]["_timestamp"]) and rows[3]["_timestamp"] == math.inf
    assert run.history(pandas=False) and len(run.history(samples=3, pandas=False)) == 3
    assert [r["_step"] for r in run.scan_history(keys=["x"])] == steps
    cols = run._history().columns()
    assert cols["_step"].dtype == np.int64 and cols["_step"].tolist() == steps


def test_summary_carries_the_last_rows_step_and_time_never_forced_values(hand_run):
    base, _ = hand_run
    run = tidelog.Api(dir=str(base)).run("p/bad1")
    s = run.summary
    assert s["_step"] == 6 and s["_timestamp"] == START + 9 and s["_runtime"] == 9.0
    assert s["x"] == {"best": 1.0, "mean": math.inf}  # x: 1, 2, 3, inf, 4, 5, 6
    assert s["weird"] == "{not json"
    assert run.config["lr"] == 0.1 and run.config["broken"] == "{not json"
    assert run.state == "failed"


def test_cli_show_and_ls_read_the_run(hand_run):
    base, run_dir = hand_run
    for args in (["show", run_dir], ["show", "p/bad1", "--dir", base], ["show", run_dir, "--json"],
                 ["ls", base], ["ls", base, "--json"]):
        out = _cli(*args)
        assert out.returncode == 0, (args, out.stderr)
        assert "Traceback" not in out.stderr
    shown = json.loads(_cli("show", run_dir, "--json").stdout)
    assert shown["summary"]["_step"] == 6 and shown["rows"] >= 7
