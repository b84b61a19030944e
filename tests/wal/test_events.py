"""read.events: the one reader of records, and RunState reading its WAL once."""

from __future__ import annotations

import shutil

import pytest

from tidelog.read import events as ev
from tidelog.read.run import RunState
from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal import WalWriter

START = 1_700_000_000.0


def _records() -> list[pb.Record]:
    bad_block = encode_block([0, 1], [START, START + 1], [1], [[1.0, 2.0]], [], [])
    bad_block.count = 5  # bytes no longer match the count
    return [
        pb.Record(seq=1, run_start=pb.RunStart(run_id="r1", start_time=START)),
        pb.Record(seq=2, key=pb.KeyDef(id=1, name="loss")),
        pb.Record(seq=3, key=pb.KeyDef(id=2, name="_step")),
        pb.Record(seq=4, history=pb.HistoryRow(step=0, timestamp=START + 1, float_keys=[1, 2, 7],
                                               float_values=[0.5, 9.0, 3.0],
                                               items=[pb.Item(key=1, value=pb.Value(json="[1, 2]"))])),
        pb.Record(seq=5, history_block=encode_block([1, 2], [START + 2, START + 3], [1], [[0.4, 0.3]], [], [])),
        pb.Record(seq=7, history_block=bad_block),
        pb.Record(seq=8, config=pb.ConfigUpdate(set={"lr": "0.1", "odd": "not json"}, remove=["old"])),
        pb.Record(seq=9, summary=pb.SummaryUpdate(set=[pb.Item(key=1, value=pb.Value(num=7.0))], remove=[9])),
        pb.Record(seq=10, console=pb.ConsoleOutput(stream=pb.ConsoleOutput.STDERR, timestamp=START, text="hi\n")),
        pb.Record(seq=11, file=pb.FileRecord(path="a.txt", sha256="ab", size=3)),
        pb.Record(seq=12, mark=pb.TransportMark(frame=4)),
        pb.Record(seq=13, exit=pb.RunExit(exit_code=0, state="finished")),
    ]


def test_each_record_becomes_its_typed_event_and_names_are_learned_first():
    names = ev.KeyNames()
    out = list(ev.events(_records(), names))
    assert [type(e).__name__ for e in out] == [
        "RunStarted", "KeyDefined", "KeyDefined", "HistoryFragment", "HistoryColumns", "Damage",
        "ConfigChanged", "SummaryChanged", "ConsoleLine", "FileStored", "OtherRecord", "Exited"]
    assert [e.seq for e in out] == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13]
    frag = out[3]
    # reserved names fill no column, undefined ids read as _key<id>, json items are parsed
    assert frag.values(names) == {"loss": [1, 2], "_key7": 3.0}
    assert names.label(2) == "_step" and names.column(2) == "" and names.label(9) == "_key9"
    assert list(out[4].fragments(names)) == [(1, START + 2, {"loss": 0.4}), (2, START + 3, {"loss": 0.3})]
    assert out[4].last_values() == {1: 0.3}
    assert "history block" in out[5].reason
    cfg = out[6]
    assert cfg.set == {"lr": 0.1, "odd": "not json"} and cfg.not_json == ["odd"] and cfg.remove == ["old"]
    assert out[7].set == {1: 7.0} and out[7].remove == [9]
    assert (out[8].stream, out[8].text) == ("stderr", "hi\n")
    assert (out[9].path, out[9].kind) == ("a.txt", "user")
    assert out[10].kind == "mark"


def test_run_state_summary_reads_the_wal_only_at_load(tmp_path):
    records = [
        pb.Record(seq=1, run_start=pb.RunStart(run_id="r1", start_time=START)),
        pb.Record(seq=2, key=pb.KeyDef(id=1, name="loss")),
        pb.Record(seq=3, metric=pb.MetricDef(name="loss", summary=["min", "max"])),
        pb.Record(seq=4, history_block=encode_block([0, 1, 2], [START + 1, START + 2, START + 3], [1],
                                                    [[0.5, 0.2, 0.9]], [], [])),
    ]
    with WalWriter(tmp_path / "wal") as w:
        w.append([r.SerializeToString() for r in records])
    state = RunState.load(tmp_path)
    shutil.rmtree(tmp_path / "wal")  # summary() must not need it again
    summary = state.summary()
    assert summary["loss"] == {"min": pytest.approx(0.2), "max": pytest.approx(0.9)}
    assert summary["_step"] == 2
