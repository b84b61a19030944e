"""The hand-written wire encodings of ``log()`` parse to what the protobuf library builds."""

from __future__ import annotations

import math
import struct

import pytest

from tidelog.records import pb
from tidelog.transport.fastpath import RowPacker, encode_history
from tidelog.transport.frames import TAG_RECORD


def _parse_frame(frame: bytes) -> pb.Record:
    length, tag, _ = struct.unpack_from("<IHH", frame)
    assert tag == 1 and len(frame) >= 8 + length
    return pb.Record.FromString(frame[8 : 8 + length])


@pytest.mark.parametrize(
    "float_ids, int_ids",
    [((1, 2, 3), ()), ((), (4, 5)), ((1, 200), (3,)), (tuple(range(1, 11)), ()), ((300,), (70000, 2))],
)
def test_row_layout_frame_is_the_library_message(float_ids, int_ids) -> None:
    lay = RowPacker(float_ids, int_ids, None)
    values = tuple(float(i) + 0.25 for i in float_ids) + tuple(-(i * 1001) for i in int_ids)
    rec = _parse_frame(lay.pack(values, 7, 1234.5, 99))
    want = pb.Record(seq=99, history=pb.HistoryRow(
        step=7, timestamp=1234.5, float_keys=float_ids, float_values=values[: len(float_ids)],
        int_keys=int_ids, int_values=values[len(float_ids):]))
    assert rec == want
    assert lay.size % 8 == 0 and lay.size >= lay.struct.size


def test_row_layout_keeps_nan_and_inf() -> None:
    lay = RowPacker((1, 2, 3), (), None)
    rec = _parse_frame(lay.pack((math.nan, math.inf, -math.inf), 0, 1.0, 1))
    v = rec.history.float_values
    assert math.isnan(v[0]) and v[1] == math.inf and v[2] == -math.inf


def test_slow_path_encoding_is_the_library_message() -> None:
    items = [(5, "bool", True), (6, "bool", False), (7, "str", "héllo"), (300, "json", '{"a": [1, 2]}')]
    data = encode_history(-3, 99.5, [1, 2], [0.5, math.inf], [3], [2**62], items, 12)
    rec = pb.Record.FromString(data)
    want = pb.Record(seq=12, history=pb.HistoryRow(
        step=-3, timestamp=99.5, float_keys=[1, 2], float_values=[0.5, math.inf], int_keys=[3],
        int_values=[2**62],
        items=[pb.Item(key=5, value=pb.Value(bool=True)), pb.Item(key=6, value=pb.Value(bool=False)),
               pb.Item(key=7, value=pb.Value(str="héllo")), pb.Item(key=300, value=pb.Value(json='{"a": [1, 2]}'))]))
    assert rec == want
    assert rec.history.items[1].value.WhichOneof("v") == "bool"  # False is kept, not dropped
    assert data[-9] == 0x09 and int.from_bytes(data[-8:], "little") == 12  # the frame trailer


@pytest.mark.parametrize("stream, text", [(0, "plain line\n"), (1, "\x1b[31mred\x1b[0m\r50%"), (0, ""),
                                          (1, "x" * 300 + "é✓"), (0, "lone \udc80 surrogate")])
def test_console_chunk_is_the_library_message(stream, text) -> None:
    from tidelog.records.wire import TAG_SEQ, frame_no, strip_trailer
    from tidelog.transport.fastpath import console_packer, console_utf8
    from tidelog.transport.ring import FRAME_HEADER
    from tidelog.wal.format import record_seq_span

    data = console_utf8(text)
    packer = console_packer(stream, len(data))
    frame = packer.pack(1234.5, data, 77)
    length, tag, _ = FRAME_HEADER.unpack_from(frame)
    assert tag == TAG_RECORD and length == len(frame) - 8 and packer.size == (len(frame) + 7) & ~7
    raw = frame[8:]
    assert frame_no(raw) == 77
    stored = packer.record(1234.5, data, 9)   # the sender's line record: seq first, as the WAL keeps records
    assert stored[0] == TAG_SEQ and record_seq_span(stored) == (9, 1)
    assert pb.Record.FromString(stored) == pb.Record(seq=9, console=pb.ConsoleOutput(
        stream=stream, timestamp=1234.5, text=text.encode("utf-8", "replace").decode("utf-8")))
    got = pb.Record.FromString(strip_trailer(raw))
    want = text.encode("utf-8", "replace").decode("utf-8")
    assert got == pb.Record(console=pb.ConsoleOutput(stream=stream, timestamp=1234.5, text=want))
