"""The hand-written wire's tags and trailer, pinned against the protobuf library.

``records.wire`` derives every tag from the generated descriptor; these tests
pin the values the hand-written paths (fast path, builder, WAL format, tail)
rely on, and check each against bytes the library itself serializes.
"""

from __future__ import annotations

import pytest

from tidelog.records import pb, wire


def _first_tag(msg) -> int:
    data = msg.SerializeToString()
    tag, _ = wire.read_varint(data, 0)
    return tag


@pytest.mark.parametrize("name, value, msg", [
    ("TAG_SEQ", 0x09, pb.Record(seq=1)),
    ("TAG_HISTORY", 0x2A, pb.Record(history=pb.HistoryRow(step=1))),
    ("TAG_HISTORY_BLOCK", 0x32, pb.Record(history_block=pb.HistoryBlock(count=1))),
    ("TAG_EXIT", 0x6A, pb.Record(exit=pb.RunExit(exit_code=1))),
    ("TAG_ROW_STEP", 0x09, pb.HistoryRow(step=3)),
    ("TAG_ROW_TIMESTAMP", 0x11, pb.HistoryRow(timestamp=1.5)),
    ("TAG_ROW_FLOAT_KEYS", 0x1A, pb.HistoryRow(float_keys=[1])),
    ("TAG_ROW_FLOAT_VALUES", 0x22, pb.HistoryRow(float_values=[1.0])),
    ("TAG_ROW_INT_KEYS", 0x2A, pb.HistoryRow(int_keys=[1])),
    ("TAG_ROW_INT_VALUES", 0x32, pb.HistoryRow(int_values=[1])),
    ("TAG_ROW_ITEMS", 0x3A, pb.HistoryRow(items=[pb.Item(key=1)])),
    ("TAG_ITEM_KEY", 0x08, pb.Item(key=1)),
    ("TAG_ITEM_VALUE", 0x12, pb.Item(value=pb.Value(num=1.0))),
    ("TAG_VALUE_BOOL", 0x18, pb.Value(bool=True)),
    ("TAG_VALUE_STR", 0x22, pb.Value(str="x")),
    ("TAG_VALUE_JSON", 0x2A, pb.Value(json="1")),
    ("TAG_BLOCK_COUNT", 0x08, pb.HistoryBlock(count=2)),
])
def test_tag_is_what_the_library_writes(name, value, msg):
    assert getattr(wire, name) == value
    assert _first_tag(msg) == value


def test_mark_tag_is_two_bytes_as_serialized():
    data = pb.Record(mark=pb.TransportMark(frame=5)).SerializeToString()
    assert wire.TAG_MARK == b"\x8a\x01" and data.startswith(wire.TAG_MARK)


def test_trailer_round_trip_and_stamp():
    body = pb.Record(exit=pb.RunExit(state="finished")).SerializeToString()
    framed = body + wire.trailer(1234)
    assert len(wire.trailer(1234)) == wire.TRAILER_SIZE == 9
    assert wire.frame_no(framed) == 1234
    assert wire.strip_trailer(framed) == body
    # the trailer is the seq field written last: the library reads the frame number there
    assert pb.Record.FromString(framed).seq == 1234
    stamped = wire.stamp(77, framed)
    rec = pb.Record.FromString(stamped)
    assert rec.seq == 77 and rec.exit.state == "finished"
    assert stamped[:1] == bytes((wire.TAG_SEQ,))


@pytest.mark.parametrize("n", [0, 1, 127, 128, 300, 2**32, 2**63])
def test_varint_round_trip(n):
    data = wire.varint(n)
    assert wire.read_varint(data + b"\x00", 0) == (n, len(data))
    assert wire.read_varint(data[:-1], 0)[0] == -1
