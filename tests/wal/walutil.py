"""Helpers for WAL tests: record streams, writing in batches, byte layouts."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal import WalReader, WalWriter
from tidelog.wal.format import list_segments
from tidelog.wal.reader import Chunk, scan_segment

# (kind, payload) drawn by hypothesis, turned into Records with seqs by build_records
record_specs = st.lists(
    st.one_of(
        st.tuples(st.just("key"), st.text(max_size=30)),
        st.tuples(st.just("row"), st.lists(st.floats(allow_nan=False), max_size=6)),
        st.tuples(st.just("console"), st.text(max_size=200)),
        st.tuples(st.just("block"), st.integers(min_value=1, max_value=40)),
    ),
    min_size=1,
    max_size=60,
)


def build_records(specs: list[tuple[str, object]], first_seq: int = 1) -> list[bytes]:
    """Serialized Records with consecutive seqs (a block of N rows takes N)."""
    out, seq = [], first_seq
    for i, (kind, arg) in enumerate(specs):
        if kind == "key":
            rec = pb.Record(seq=seq, key=pb.KeyDef(id=i + 1, name=arg))
        elif kind == "row":
            rec = pb.Record(seq=seq, history=pb.HistoryRow(
                step=i, timestamp=1e9 + i, float_keys=list(range(1, len(arg) + 1)), float_values=arg))
        elif kind == "console":
            rec = pb.Record(seq=seq, console=pb.ConsoleOutput(text=arg, timestamp=float(i)))
        else:
            n = arg
            rng = np.random.default_rng(i)
            block = encode_block(np.arange(n) + i, 1e9 + np.arange(n), [1, 2], rng.random((2, n)),
                                 [3], np.arange(n).reshape(1, n))
            rec = pb.Record(seq=seq, history_block=block)
        out.append(rec.SerializeToString())
        seq += arg if kind == "block" else 1
    return out


def write_batches(wal_dir: Path, records: list[bytes], sizes: list[int], **kw) -> None:
    """Append ``records`` in consecutive batches of the given sizes (cycled)."""
    kw.setdefault("fsync", "never")
    kw.setdefault("segment_bytes", 2048)
    kw.setdefault("chunk_bytes", 700)
    with WalWriter(wal_dir, **kw) as writer:
        i = 0
        for size in _cycle(sizes):
            if i >= len(records):
                break
            writer.append(records[i : i + size])
            i += size


def _cycle(sizes: list[int]):
    while True:
        yield from (max(1, s) for s in sizes)


def read_all(wal_dir: Path) -> tuple[list[bytes], WalReader]:
    reader = WalReader(wal_dir)
    return list(reader.payloads()), reader


@dataclass(frozen=True)
class ChunkSpan:
    segment: str
    offset: int
    end: int
    records: tuple[bytes, ...]


def chunk_spans(wal_dir: Path) -> list[ChunkSpan]:
    """Every chunk of an undamaged WAL, with its records."""
    spans = []
    segments = list_segments(wal_dir)
    for i, (_, path) in enumerate(segments):
        for ev in scan_segment(path, path.read_bytes(), final=i == len(segments) - 1):
            assert isinstance(ev, Chunk), ev
            spans.append(ChunkSpan(path.name, ev.offset, ev.end, tuple(ev.records())))
    return spans


def snapshot(wal_dir: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for _, p in list_segments(wal_dir)]


def restore(wal_dir: Path, files: list[tuple[str, bytes]]) -> None:
    shutil.rmtree(wal_dir, ignore_errors=True)
    wal_dir.mkdir(parents=True)
    for name, data in files:
        (wal_dir / name).write_bytes(data)


def assert_in_order_subset(read: list[bytes], written: list[bytes]) -> None:
    """``read`` is ``written`` with some records left out, never anything else."""
    index = {r: i for i, r in enumerate(written)}
    positions = []
    for r in read:
        assert r in index, "reader yielded a record that was never written"
        positions.append(index[r])
    assert positions == sorted(set(positions)), "records out of order or repeated"


# -- the sender's path: trainer frames -> RecordBuilder -> WalWriter, default chunk bounds --

# (keys in the row layout, rows) runs, and now and then a console line between them
pipeline_runs = st.lists(
    st.tuples(st.sampled_from([1, 2, 10, 200]), st.integers(min_value=1, max_value=9000)),
    min_size=1,
    max_size=5,
)


def pipeline_frames(runs: list[tuple[int, int]], seed: int = 0) -> list[tuple[int, bytes]]:
    """Trainer frames (tag, payload) as the ring hands them to the sender: rows
    of float layouts with ``keys`` values each, a console record between runs."""
    from tidelog.transport.fastpath import RowPacker, encode_record
    from tidelog.transport.frames import TAG_RECORD

    rng = np.random.default_rng(seed)
    frames, frame_no, step = [], 0, 0
    for keys, rows in runs:
        lay = RowPacker(tuple(range(1, keys + 1)), (), None)
        values = rng.standard_normal((rows, keys)).astype(np.float32).astype(np.float64).tolist()
        for v in values:
            frame_no += 1
            data = lay.pack(tuple(v), step, 1.7e9 + step * 0.01, frame_no)
            frames.append((TAG_RECORD, data[8 : 8 + int.from_bytes(data[:4], "little")]))
            step += 1
        frame_no += 1
        frames.append((TAG_RECORD, encode_record(pb.Record(console=pb.ConsoleOutput(text=f"epoch {step}")), frame_no)))
    return frames


def write_pipeline(run_dir: Path, frames: list[tuple[int, bytes]], batch_frames: list[int]) -> list[bytes]:
    """Build and append ``frames`` in batches of the given sizes (cycled), as the
    sender does; returns every record written, in order."""
    from tidelog.sender.builder import RecordBuilder

    builder = RecordBuilder(run_dir, next_seq=1, last_frame=0, workers=1)
    written: list[bytes] = []
    with WalWriter(run_dir / "wal", fsync="never") as writer:
        i = 0
        for size in _cycle(batch_frames):
            if i >= len(frames):
                break
            records = builder.build(frames[i : i + size])
            writer.append(records)
            written += records
            i += size
    builder.close()
    return written
