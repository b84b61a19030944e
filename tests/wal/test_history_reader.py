"""HistoryReader: fragments merge into rows, columns agree with rows."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tidelog.read import HistoryReader
from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal import WalWriter

START = 1_700_000_000.0
KEYS = {1: "loss", 2: "acc", 3: "epoch", 4: "media"}


def _head() -> list[pb.Record]:
    out = [pb.Record(seq=1, run_start=pb.RunStart(start_time=START))]
    out += [pb.Record(seq=1 + i, key=pb.KeyDef(id=i, name=n)) for i, n in KEYS.items()]
    return out


def test_fragments_with_the_same_step_merge_and_later_values_win():
    records = _head() + [
        pb.Record(history=pb.HistoryRow(step=0, timestamp=START + 1, float_keys=[1], float_values=[0.9])),
        pb.Record(history=pb.HistoryRow(step=0, timestamp=START + 2, float_keys=[1, 2], float_values=[0.8, 0.1],
                                        items=[pb.Item(key=4, value=pb.Value(json='{"_type": "image-file", "w": 2}'))])),
        pb.Record(history_block=encode_block([0, 1, 1, 2], [START + 3, START + 4, START + 5, START + 6],
                                             [2], [[0.2, 0.3, 0.4, 0.5]], [3], [[0, 0, 1, 1]])),
        pb.Record(history=pb.HistoryRow(step=2, timestamp=START + 7,
                                        items=[pb.Item(key=4, value=pb.Value(str="caption"))])),
    ]
    rows = list(HistoryReader(records).rows())
    assert rows == [
        {"_step": 0, "_timestamp": START + 3, "_runtime": 3.0, "loss": 0.8, "acc": 0.2, "epoch": 0,
         "media": {"_type": "image-file", "w": 2}},
        {"_step": 1, "_timestamp": START + 5, "_runtime": 5.0, "acc": 0.4, "epoch": 1},
        {"_step": 2, "_timestamp": START + 7, "_runtime": 7.0, "acc": 0.5, "epoch": 1, "media": "caption"},
    ]
    assert isinstance(rows[0]["epoch"], int) and isinstance(rows[0]["loss"], float)
    assert list(HistoryReader(records).rows(keys=["media"])) == [
        {"_step": 0, "_timestamp": START + 3, "_runtime": 3.0, "media": {"_type": "image-file", "w": 2}},
        {"_step": 2, "_timestamp": START + 7, "_runtime": 7.0, "media": "caption"},
    ]
    cols = HistoryReader(records).columns()
    assert cols["_step"].tolist() == [0, 1, 2]
    np.testing.assert_array_equal(cols["loss"], [0.8, np.nan, np.nan])
    assert cols["epoch"].dtype == np.int64 and cols["epoch"].tolist() == [0, 1, 1]
    assert cols["media"].tolist() == [{"_type": "image-file", "w": 2}, None, "caption"]


def test_unknown_key_ids_and_missing_run_start():
    records = [pb.Record(history=pb.HistoryRow(step=3, timestamp=10.0, float_keys=[9], float_values=[1.5])),
               pb.Record(history=pb.HistoryRow(step=4, timestamp=12.5, int_keys=[9], int_values=[2]))]
    assert list(HistoryReader(records).rows()) == [
        {"_step": 3, "_timestamp": 10.0, "_runtime": 0.0, "_key9": 1.5},
        {"_step": 4, "_timestamp": 12.5, "_runtime": 2.5, "_key9": 2},
    ]


fragment = st.tuples(
    st.integers(0, 4),  # step increment (0 merges with the previous fragment)
    st.dictionaries(st.sampled_from([1, 2]), st.floats(allow_nan=False, width=32), max_size=2),
    st.dictionaries(st.just(3), st.integers(-5, 5), max_size=1),
    st.booleans(),  # as part of a block (True) or as a HistoryRow
)


def _stream(frags) -> list[pb.Record]:
    records, step, t = _head(), 0, START
    pending: list[tuple[int, float, dict, dict]] = []

    def flush():
        if not pending:
            return
        n = len(pending)
        fcols = np.array([[p[2].get(k, np.nan) for p in pending] for k in (1, 2)])
        icols = np.array([[p[3].get(3, 0) for p in pending]])
        records.append(pb.Record(history_block=encode_block(
            [p[0] for p in pending], [p[1] for p in pending], [1, 2], fcols, [3], icols)))
        pending.clear()
        return n

    for inc, floats, ints, in_block in frags:
        step, t = step + inc, t + 0.25
        if in_block and len(floats) == 2 and len(ints) == 1:
            pending.append((step, t, floats, ints))
            continue
        flush()
        records.append(pb.Record(history=pb.HistoryRow(
            step=step, timestamp=t, float_keys=list(floats), float_values=list(floats.values()),
            int_keys=list(ints), int_values=list(ints.values()))))
    flush()
    return records


def _reference_rows(frags) -> list[dict]:
    rows, step, t = [], 0, START
    for inc, floats, ints, _ in frags:
        step, t = step + inc, t + 0.25
        values = {KEYS[k]: v for k, v in {**floats, **ints}.items()}
        if rows and rows[-1]["_step"] == step:
            rows[-1].update(values, _timestamp=t, _runtime=t - START)
        else:
            rows.append({"_step": step, "_timestamp": t, "_runtime": t - START, **values})
    return rows


@settings(max_examples=150, deadline=None)
@given(st.lists(fragment, max_size=40), st.lists(st.sampled_from(["loss", "acc", "epoch"]), max_size=2, unique=True))
def test_rows_and_columns_agree_with_the_merge_rule(frags, keys):
    reader = HistoryReader(_stream(frags))
    expected = _reference_rows(frags)
    assert list(reader.rows()) == expected
    cols = reader.columns()
    assert cols["_step"].tolist() == [r["_step"] for r in expected]
    for name in ("loss", "acc", "epoch"):
        if name not in cols:
            assert all(name not in r for r in expected)
            continue
        for value, row in zip(cols[name].tolist(), expected):
            assert (value == row[name]) if name in row else math.isnan(value)
    if keys:
        wanted = [r for r in expected if any(k in r for k in keys)]
        assert [r["_step"] for r in reader.rows(keys=keys)] == [r["_step"] for r in wanted]
        assert reader.columns(keys=keys)["_step"].tolist() == [r["_step"] for r in wanted]


def test_from_run_dir_reads_the_wal(tmp_path):
    records = _head() + [pb.Record(history_block=encode_block(
        np.arange(100), START + np.arange(100), [1], np.linspace(0, 1, 100)[None], [3], np.arange(100)[None]))]
    seq = 1
    for r in records:
        r.seq = seq
        seq += r.history_block.count or 1
    with WalWriter(tmp_path / "wal") as w:
        w.append([r.SerializeToString() for r in records])
    cols = HistoryReader.from_run_dir(tmp_path).columns()
    np.testing.assert_array_equal(cols["loss"], np.linspace(0, 1, 100))
    np.testing.assert_array_equal(cols["epoch"], np.arange(100))
    row = next(iter(HistoryReader.from_run_dir(tmp_path).rows()))
    want = {"_step": 0, "_timestamp": START, "_runtime": 0.0, "loss": 0.0, "epoch": 0}
    assert json.loads(json.dumps(row)) == row == want  # plain Python values, as they were logged
    assert [type(row[k]) for k in want] == [int, float, float, float, int]
