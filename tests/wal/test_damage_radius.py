"""How much one cut or one damaged byte can cost, on WALs the real pipeline writes.

The bound (docs/wal-format.md, "Damage radius"): a chunk holds at most
``DEFAULT_CHUNK_ROWS`` (4,096) history rows and at most
``DEFAULT_CHUNK_BYTES`` (1 MiB) of raw records; a reader loses at most the
chunk a cut or a damaged byte falls in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tidelog.read import HistoryReader
from tidelog.records import pb
from tidelog.wal import WalReader
from tidelog.wal.format import list_segments
from tidelog.wal.reader import Chunk, scan_segment

BOUND_ROWS = 4096

_SCRIPT = textwrap.dedent("""
    import sys
    import tidelog
    run = tidelog.init(project="radius", dir=sys.argv[1], id="radius")
    for i in range(int(sys.argv[2])):
        tidelog.log({"loss": 1.0 / (i + 1), "acc": i * 1e-6})
    run.finish()
""")


@pytest.fixture(scope="module")
def pipeline_wal(tmp_path_factory) -> tuple[Path, int]:
    """200,000 rows of two scalars, logged in a tight loop through init/log/finish."""
    base = tmp_path_factory.mktemp("radius")
    rows = 200_000
    subprocess.run([sys.executable, "-c", _SCRIPT, str(base), str(rows)], check=True, timeout=240,
                   env={**os.environ, "TIDELOG_STATS_INTERVAL": "0"})
    (run_dir,) = (base / "tidelog").glob("run-*-radius")
    return run_dir / "wal", rows


def _rows(wal_dir: Path) -> int:
    cols = HistoryReader(WalReader(wal_dir)).columns()
    return len(cols["_step"]) if "_step" in cols else 0


def _cut_copy(wal_dir: Path, dest: Path, fraction: float) -> int:
    """A copy of the WAL with its segments (concatenated) cut at ``fraction`` of their bytes."""
    files = [(p.name, p.read_bytes()) for _, p in list_segments(wal_dir)]
    total = sum(len(d) for _, d in files)
    left = int(total * fraction)
    dest.mkdir(parents=True)
    for name, data in files:
        if left <= 0:
            break
        (dest / name).write_bytes(data[:left])
        left -= len(data)
    return int(total * fraction)


def test_the_pipeline_run_reads_back_whole(pipeline_wal):
    wal_dir, rows = pipeline_wal
    assert _rows(wal_dir) == rows


def _history_rows_started_before(wal_dir: Path, offset: int) -> int:
    """History rows in the chunks that begin before ``offset`` of the concatenated segments."""
    rows, base = 0, 0
    for _, path in list_segments(wal_dir):
        data = path.read_bytes()
        for ev in scan_segment(path, data, final=False):
            assert isinstance(ev, Chunk)
            if base + ev.offset < offset:
                rows += _rows_in(ev.records())
        base += len(data)
    return rows


def _rows_in(records: list[bytes]) -> int:
    n = 0
    for raw in records:
        rec = pb.Record.FromString(raw)
        n += rec.history_block.count if rec.HasField("history_block") else rec.HasField("history")
    return n


@pytest.mark.parametrize("fraction", [0.25, 0.4, 0.6])
def test_a_cut_loses_at_most_one_chunk_of_rows(pipeline_wal, tmp_path, fraction):
    wal_dir, _ = pipeline_wal
    offset = _cut_copy(wal_dir, tmp_path / "cut", fraction)
    got = _rows(tmp_path / "cut")
    written = _history_rows_started_before(wal_dir, offset)
    assert written - got <= BOUND_ROWS, (
        f"cut at {fraction:.0%} of the WAL: {written} rows had been written into it, {got} read back")


def test_rows_recovered_grow_with_the_cut_offset(pipeline_wal, tmp_path):
    wal_dir, _ = pipeline_wal
    got = []
    for i, fraction in enumerate([0.1, 0.2, 0.3, 0.5, 0.7, 0.9]):
        _cut_copy(wal_dir, tmp_path / f"c{i}", fraction)
        got.append(_rows(tmp_path / f"c{i}"))
    assert got[0] > 0 and all(a < b for a, b in zip(got, got[1:])), got


def test_one_flipped_byte_loses_at_most_one_chunk_of_rows(pipeline_wal, tmp_path):
    wal_dir, rows = pipeline_wal
    files = [(p.name, p.read_bytes()) for _, p in list_segments(wal_dir)]
    name, _ = max(files, key=lambda f: len(f[1]))
    for i, where in enumerate([0.3, 0.5, 0.8]):
        dest = tmp_path / f"flip{i}"
        dest.mkdir()
        for n, d in files:
            if n == name:
                d = bytearray(d)
                d[int(len(d) * where)] ^= 0x5A
            (dest / n).write_bytes(bytes(d))
        reader = WalReader(dest)
        got = len(HistoryReader(reader).columns()["_step"])
        assert rows - got <= BOUND_ROWS, f"a flipped byte at {where:.0%} lost {rows - got} rows"
        assert reader.damage, "the flipped byte was not reported"
