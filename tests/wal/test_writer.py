"""WalWriter: chunks, rotation, fsync policies, reopen, failed writes."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import time

import pytest
from walutil import build_records, chunk_spans, read_all

from tidelog.errors import WalError
from tidelog.records import pb
from tidelog.wal import FsyncPolicy, WalReader, WalWriter, verify_wal
from tidelog.wal.format import MAX_RECORD_BYTES, decode_segment_header, list_segments


def _noise(n: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return build_records([("console", rng.randbytes(60).hex()) for _ in range(n)])


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("batch", FsyncPolicy.batch()),
        ("never", FsyncPolicy.never()),
        ("interval:200", FsyncPolicy.interval(200)),
        (" Interval:5 ", FsyncPolicy.interval(5)),
    ],
)
def test_fsync_policy_parses(text, policy):
    assert FsyncPolicy.parse(text) == policy
    assert FsyncPolicy.parse(str(policy)) == policy


@pytest.mark.parametrize("text", ["always", "interval", "interval:0", "interval:x", "batch:3", ""])
def test_fsync_policy_rejects_nonsense(text):
    with pytest.raises(ValueError):
        FsyncPolicy.parse(text)


def test_one_chunk_per_append_and_large_batches_split(tmp_path):
    records = _noise(100)
    with WalWriter(tmp_path, fsync="never", chunk_bytes=1000) as w:
        w.append(records[:3])
        w.append(records[3:])
    spans = chunk_spans(tmp_path)
    assert spans[0].records == tuple(records[:3])
    assert len(spans) > 5  # the 97-record batch was split
    assert all(sum(len(r) + 2 for r in s.records) <= 1000 for s in spans[1:])
    assert [r for s in spans for r in s.records] == records


def test_segments_rotate_at_the_size_limit(tmp_path):
    records = _noise(400)
    with WalWriter(tmp_path, fsync="never", segment_bytes=4096, chunk_bytes=1500) as w:
        for i in range(0, 400, 7):
            w.append(records[i : i + 7])
    segments = list_segments(tmp_path)
    assert [i for i, _ in segments] == list(range(1, len(segments) + 1))
    assert len(segments) > 5
    assert all(p.stat().st_size <= 4096 for _, p in segments)
    first_seqs = [decode_segment_header(p.read_bytes()).first_seq for _, p in segments]
    chunk_first = {}
    for s in chunk_spans(tmp_path):
        chunk_first.setdefault(s.segment, pb.Record.FromString(s.records[0]).seq)
    assert first_seqs == [chunk_first[p.name] for _, p in segments]
    assert read_all(tmp_path)[0] == records


def test_a_chunk_larger_than_a_segment_gets_a_segment_of_its_own(tmp_path):
    big = pb.Record(seq=2, console=pb.ConsoleOutput(text=random.Random(1).randbytes(6000).hex())).SerializeToString()
    small = _noise(1)
    with WalWriter(tmp_path, fsync="never", segment_bytes=4096) as w:
        w.append(small)
        w.append([big])
        w.append([pb.Record(seq=3).SerializeToString()])
    assert len(list_segments(tmp_path)) == 3
    assert read_all(tmp_path)[0][1] == big


def test_reopen_continues_in_the_last_segment_and_knows_last_seq(tmp_path):
    records = _noise(30)
    with WalWriter(tmp_path, fsync="batch") as w:
        w.append(records[:10])
    with WalWriter(tmp_path, fsync="batch") as w:
        assert w.last_seq == 10
        assert w.recovered_bytes == 0
        w.append(records[10:])
        assert w.last_seq == 30
    assert len(list_segments(tmp_path)) == 1
    assert read_all(tmp_path)[0] == records


def test_last_seq_counts_the_rows_of_a_trailing_history_block(tmp_path):
    records = build_records([("key", "a"), ("block", 25)])
    with WalWriter(tmp_path) as w:
        w.append(records)
    assert WalWriter(tmp_path).last_seq == 26
    assert verify_wal(tmp_path).last_seq == 26


def test_reopen_truncates_a_torn_tail(tmp_path):
    records = _noise(20)
    with WalWriter(tmp_path, fsync="never") as w:
        w.append(records[:10])
        w.append(records[10:])
    path = tmp_path / "000001.wal"
    good = chunk_spans(tmp_path)[0].end
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size - 7)
    w = WalWriter(tmp_path, fsync="never")
    assert path.stat().st_size == good
    assert w.recovered_bytes > 0 and w.last_seq == 10
    w.append(records[10:])
    w.close()
    read, reader = read_all(tmp_path)
    assert read == records and reader.damage == [] and reader.torn_tail is None


def test_duplicates_from_a_restarted_sender_are_read_once(tmp_path):
    records = _noise(20)
    with WalWriter(tmp_path) as w:
        w.append(records[:12])
        w.append(records[8:])  # a respawned sender re-sends 9..12
    read, reader = read_all(tmp_path)
    assert read == records
    assert reader.stats.duplicates == 4
    assert len(list(WalReader(tmp_path, dedup=False).payloads())) == 24


def test_interval_policy_syncs_only_when_due(tmp_path):
    w = WalWriter(tmp_path, fsync=FsyncPolicy.interval(50))
    assert not w.maybe_sync()  # nothing written
    w.append(_noise(1))
    now = time.monotonic()
    assert w.maybe_sync(now=now + 1.0)
    assert not w.maybe_sync(now=now + 2.0)  # nothing new since
    w.close()
    never = WalWriter(tmp_path / "n", fsync="never")
    never.append(_noise(1))
    assert not never.maybe_sync(now=time.monotonic() + 10)
    never.close()


def test_misuse_is_refused_without_writing(tmp_path):
    w = WalWriter(tmp_path)
    w.append([])
    assert list_segments(tmp_path) == []
    with pytest.raises(ValueError, match="limit"):
        w.append([b"x" * (MAX_RECORD_BYTES + 1)])
    assert list_segments(tmp_path) == []
    w.close()
    w.close()
    with pytest.raises(WalError):
        w.append(_noise(1))
    with pytest.raises(ValueError):
        WalWriter(tmp_path, segment_bytes=10)


_FAILING_DISK = textwrap.dedent(
    """
    import os, resource, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from walutil import build_records
    from tidelog.wal import WalWriter, WalReader

    wal = Path(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of a signal
    records = build_records([("console", os.urandom(300).hex()) for _ in range(30)])
    w = WalWriter(wal, fsync="batch")
    w.append(records[:10])
    size = (wal / "000001.wal").stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 100, hard))  # the next chunk is cut mid-write
    try:
        w.append(records[10:20])
    except OSError as err:
        print("error", err.errno)
    print("size-after-failure", (wal / "000001.wal").stat().st_size == size)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    w.append(records[10:20])
    w.append(records[20:])
    w.close()
    r = WalReader(wal)
    print("read-back", [x for x in r.payloads()] == records, r.damage, r.torn_tail)
    """
)


def test_failed_write_leaves_the_log_readable_and_the_writer_usable(tmp_path):
    here = os.path.dirname(__file__)
    out = subprocess.run(
        [sys.executable, "-c", _FAILING_DISK, str(tmp_path / "wal"), here],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split("\n")
    import errno

    assert out[0] == f"error {errno.EFBIG}"
    assert out[1] == "size-after-failure True"
    assert out[2] == "read-back True [] None"


def test_a_batch_is_split_at_chunk_rows(tmp_path):
    """A chunk holds at most ``chunk_rows`` history rows, however small they are; other records do not count."""
    records = build_records([("row", [0.5]), ("console", "x")] * 5_000)
    with WalWriter(tmp_path / "wal", fsync="never") as writer:
        writer.append(records)
    spans = chunk_spans(tmp_path / "wal")
    assert [len(s.records) for s in spans] == [8192, 10_000 - 8192]  # 4096 rows and the lines between
