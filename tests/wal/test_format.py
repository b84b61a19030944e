"""Byte-level pieces of the WAL format."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal.format import (
    CHUNK_HEADER_SIZE,
    SEGMENT_HEADER_SIZE,
    ChunkHeader,
    SegmentHeader,
    decode_chunk_header,
    decode_segment_header,
    encode_chunk_header,
    encode_segment_header,
    frame_records,
    record_seq_span,
    unframe_records,
)


def test_header_sizes_match_the_spec():
    assert SEGMENT_HEADER_SIZE == 32
    assert CHUNK_HEADER_SIZE == 48


def test_segment_header_round_trip_and_checksum():
    h = SegmentHeader(version=1, index=7, first_seq=12345)
    data = encode_segment_header(h)
    assert decode_segment_header(data) == h
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x10
        assert decode_segment_header(bytes(bad)) is None


def test_chunk_header_round_trip_and_checksum():
    h = ChunkHeader(payload_len=10, raw_len=20, codec=1, record_count=3, first_seq=5, last_seq=9,
                    payload_crc=0xDEADBEEF)
    data = b"junk" + encode_chunk_header(h)
    assert decode_chunk_header(data, 4) == h
    assert decode_chunk_header(data[:-1], 4) == "truncated chunk header"
    for i in range(4, len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x01
        assert isinstance(decode_chunk_header(bytes(bad), 4), str)


@pytest.mark.parametrize("field,value,reason", [
    ("codec", 9, "unknown codec 9"),
    ("record_count", 0, "chunk header out of limits"),
    ("last_seq", 1, "chunk header out of limits"),
])
def test_chunk_header_values_outside_the_spec_are_rejected(field, value, reason):
    fields = dict(payload_len=10, raw_len=20, codec=1, record_count=3, first_seq=5, last_seq=9, payload_crc=0)
    fields[field] = value
    assert decode_chunk_header(encode_chunk_header(ChunkHeader(**fields)), 0) == reason


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=20))
def test_framing_round_trips(records):
    assert unframe_records(frame_records(records), len(records)) == records


@pytest.mark.parametrize("raw,count", [
    (b"\x05abc", 1),  # length past the end
    (b"\x03abc", 2),  # fewer records than the header says
    (b"\x80", 1),  # unterminated varint
])
def test_framing_inconsistencies_raise(raw, count):
    with pytest.raises(ValueError):
        unframe_records(raw, count)


def test_record_seq_span():
    import numpy as np

    assert record_seq_span(pb.Record(seq=42, key=pb.KeyDef(id=1, name="a")).SerializeToString()) == (42, 1)
    assert record_seq_span(pb.Record(key=pb.KeyDef(id=1)).SerializeToString()) == (0, 1)
    block = encode_block(np.arange(300), np.zeros(300), [], np.zeros((0, 300)), [], np.zeros((0, 300)))
    assert record_seq_span(pb.Record(seq=2**40, history_block=block).SerializeToString()) == (2**40, 300)


def test_record_history_rows_counts_rows_without_parsing():
    from tidelog.records import pb
    from tidelog.records.history_block import encode_block
    from tidelog.wal.format import record_history_rows

    block = encode_block([1, 2, 3], [1.0, 2.0, 3.0], [1], [[0.5, 0.25, 0.125]], [], [])
    assert record_history_rows(pb.Record(seq=7, history_block=block).SerializeToString()) == 3
    assert record_history_rows(pb.Record(seq=7, history=pb.HistoryRow(step=1)).SerializeToString()) == 1
    assert record_history_rows(pb.Record(history=pb.HistoryRow(step=1)).SerializeToString()) == 1
    assert record_history_rows(pb.Record(seq=7, mark=pb.TransportMark(frame=3)).SerializeToString()) == 0
    assert record_history_rows(pb.Record(seq=7, console=pb.ConsoleOutput(text="x")).SerializeToString()) == 0
    assert record_history_rows(pb.Record(seq=2**62).SerializeToString()) == 0
