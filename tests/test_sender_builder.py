"""The sender turns runs of same-layout rows into one HistoryBlock, whatever their values."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tidelog.records import pb
from tidelog.records.history_block import decode_block
from tidelog.sender.builder import RecordBuilder
from tidelog.transport.fastpath import RowPacker


def _payload(lay: RowPacker, values: tuple, step: int, frame: int) -> bytes:
    frame_bytes = lay.pack(values, step, 1000.0 + step, frame)
    return frame_bytes[8 : 8 + int.from_bytes(frame_bytes[:4], "little")]


@pytest.mark.parametrize("float_ids, int_ids", [((1,), ()), ((1, 2), (3, 4)), ((), (5,)), (tuple(range(1, 11)), (11,))])
def test_rows_of_one_layout_become_one_block_with_every_value(tmp_path: Path, float_ids, int_ids) -> None:
    rng = random.Random(7)
    lay = RowPacker(float_ids, int_ids, None)
    rows = [tuple(rng.random() for _ in float_ids) + tuple(rng.randrange(-10**12, 10**12) for _ in int_ids)
            for _ in range(200)]
    builder = RecordBuilder(tmp_path, next_seq=1, last_frame=0)
    out = builder.build([(1, _payload(lay, v, step, step + 1)) for step, v in enumerate(rows)])
    builder.close()
    records = [pb.Record.FromString(x) for x in out]
    assert [r.WhichOneof("kind") for r in records] == ["history_block", "mark"]
    assert records[0].seq == 1 and records[1].seq == 201  # a block of 200 consumes 200 seqs
    cols = decode_block(records[0].history_block)
    assert list(cols.steps) == list(range(200))
    for j in range(len(float_ids)):
        assert list(cols.float_cols[j]) == [v[j] for v in rows]
    for j in range(len(int_ids)):
        assert list(cols.int_cols[j]) == [v[len(float_ids) + j] for v in rows]


def test_a_layout_change_starts_a_new_block_and_duplicates_are_dropped(tmp_path: Path) -> None:
    a, b = RowPacker((1, 2), (), None), RowPacker((1, 3), (), None)
    frames = [(1, _payload(a, (0.5, float(i)), i, i + 1)) for i in range(5)]
    frames += [(1, _payload(b, (0.5, float(i)), i, i + 1)) for i in range(5, 9)]
    builder = RecordBuilder(tmp_path, next_seq=1, last_frame=2)  # frames 1 and 2 are already in the WAL
    out = [pb.Record.FromString(x) for x in builder.build(frames)]
    builder.close()
    assert [r.WhichOneof("kind") for r in out] == ["history_block", "history_block", "mark"]
    assert [r.history_block.count for r in out[:2]] == [3, 4]
    assert out[2].mark.frame == 9


@pytest.mark.parametrize("keys, rows", [(2, 10_000), (300, 3_000)])
def test_blocks_fit_one_wal_chunk_of_the_damage_radius(tmp_path: Path, keys, rows) -> None:
    """A long run of rows is cut into blocks of at most 4,096 rows and 1 MiB,
    so that one damaged chunk never costs more (docs/wal-format.md)."""
    lay = RowPacker(tuple(range(1, keys + 1)), (), None)
    builder = RecordBuilder(tmp_path, next_seq=1, last_frame=0)
    out = builder.build([(1, _payload(lay, tuple(float(step + j) for j in range(keys)), step, step + 1))
                         for step in range(rows)])
    builder.close()
    records = [pb.Record.FromString(x) for x in out]
    blocks = [r for r in records if r.HasField("history_block")]
    assert sum(b.history_block.count for b in blocks) == rows
    assert all(b.history_block.count <= 4096 for b in blocks)
    assert all(len(x) <= 1 << 20 for x in out)
    counts = [b.history_block.count for b in blocks]
    assert len(counts) > 1 and len(set(counts[:-1])) == 1 and counts[-1] <= counts[0], counts  # full, then the rest
    steps = [int(s) for b in blocks for s in decode_block(b.history_block).steps]
    assert steps == list(range(rows))
    # Each full block is followed by a mark naming its last frame (frame = step + 1): the writer
    # may end a chunk after it, and a restarted sender must know that those rows are written.
    for i, r in enumerate(records[:-1]):
        if r.HasField("history_block"):
            assert records[i + 1].HasField("mark"), i
            assert records[i + 1].mark.frame == decode_block(r.history_block).steps[-1] + 1


def test_a_sender_killed_between_two_chunks_of_a_batch_writes_each_row_once(tmp_path: Path) -> None:
    """The writer splits a long batch into chunks; a successor re-reads the
    whole unacknowledged batch and must skip exactly what reached the WAL."""
    from tidelog.read import HistoryReader
    from tidelog.read.tail import last_transport_mark
    from tidelog.wal import WalReader, WalWriter
    from tidelog.wal.format import list_segments
    from tidelog.wal.reader import Chunk, scan_segment

    lay = RowPacker((1, 2), (), None)
    frames = [(1, _payload(lay, (0.5, float(step)), step, step + 1)) for step in range(10_000)]
    wal = tmp_path / "wal"
    first = RecordBuilder(tmp_path, next_seq=1, last_frame=0)
    with WalWriter(wal, fsync="never") as writer:
        writer.append(first.build(frames))
    first.close()
    (_, path), = list_segments(wal)
    chunks = [e for e in scan_segment(path, path.read_bytes(), final=True) if isinstance(e, Chunk)]
    assert len(chunks) == 3
    with open(path, "r+b") as f:  # killed after the second chunk
        f.truncate(chunks[1].end)

    writer = WalWriter(wal, fsync="never")
    second = RecordBuilder(tmp_path, next_seq=writer.last_seq + 1, last_frame=last_transport_mark(wal))
    writer.append(second.build(frames))
    writer.close()
    second.close()
    steps = HistoryReader(WalReader(wal)).columns()["_step"]
    assert list(steps) == list(range(10_000))
