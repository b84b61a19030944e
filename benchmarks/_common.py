"""Shared helpers for benchmarks: realistic training metrics and a WAL
written the way the sender writes it (KeyDefs first, then HistoryBlocks of a
few thousand rows, one block per chunk)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zstandard

from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal.writer import FsyncPolicy, WalWriter

__all__ = ["Metrics", "make_metrics", "write_wal", "WriteStats", "information_limit_bytes", "shuffle_f8"]

BATCH = 256
STEPS_PER_EPOCH = 5000


@dataclass
class Metrics:
    steps: np.ndarray  # int64[n]
    timestamps: np.ndarray  # float64[n], unix s
    float_names: list[str]
    float_cols: np.ndarray  # float64[k, n]
    int_names: list[str]
    int_cols: np.ndarray  # int64[m, n]

    @property
    def n(self) -> int:
        return len(self.steps)

    @property
    def scalars(self) -> int:
        return self.n * (len(self.float_names) + len(self.int_names))

    def row(self, i: int) -> dict:
        out = {k: float(self.float_cols[j, i]) for j, k in enumerate(self.float_names)}
        out.update({k: int(self.int_cols[j, i]) for j, k in enumerate(self.int_names)})
        return out


def _f32(x: np.ndarray) -> np.ndarray:
    """What ``float(tensor.item())`` of a float32 tensor gives."""
    return x.astype(np.float32).astype(np.float64)


def make_metrics(n: int, seed: int = 0) -> Metrics:
    """10 metrics as a real training loop logs them: 7 floats (float32
    losses/norms, float64 schedule and throughput), 3 int counters."""
    rng = np.random.default_rng(seed)
    i = np.arange(n, dtype=np.float64)
    step_time = 0.012 + rng.gamma(4.0, 0.0005, n)
    timestamps = 1.764e9 + np.cumsum(step_time)
    warm = 2000.0
    lr = np.where(i < warm, 3e-4 * (i + 1) / warm,
                  1.5e-4 * (1 + np.cos(np.pi * np.clip((i - warm) / max(n - warm, 1), 0, 1))))
    loss = _f32(2.2 * np.exp(-i / (n / 4 + 1)) + 0.35 + 0.08 * rng.standard_normal(n))
    acc = rng.binomial(BATCH, np.clip(0.2 + 0.7 * (1 - np.exp(-i / (n / 5 + 1))), 0, 1)) / BATCH
    grad_norm = _f32(np.exp(0.3 * rng.standard_normal(n)) * (1.0 + 3.0 * np.exp(-i / 5000)))
    weight_norm = _f32(120.0 + 30.0 * np.sqrt(i / n) + 0.001 * rng.standard_normal(n))
    samples_per_sec = BATCH / step_time
    data_time = _f32(0.001 + rng.exponential(0.0004, n))
    float_cols = np.stack([loss, lr, acc, grad_norm, weight_norm, samples_per_sec, data_time])
    steps = np.arange(n, dtype=np.int64)
    int_cols = np.stack([steps // STEPS_PER_EPOCH, steps + 1, (steps + 1) * BATCH])
    return Metrics(
        steps=steps,
        timestamps=timestamps,
        float_names=["train/loss", "train/lr", "train/accuracy", "train/grad_norm",
                     "train/weight_norm", "perf/samples_per_sec", "perf/data_time"],
        float_cols=float_cols,
        int_names=["epoch", "global_step", "samples_seen"],
        int_cols=int_cols,
    )


@dataclass
class WriteStats:
    seconds: float  # encode + append, end to end
    encode_seconds: float  # HistoryBlock encode + Record serialize
    raw_bytes: int  # framed, uncompressed chunk payloads
    wal_bytes: int  # bytes on disk
    chunks: int


def write_wal(run_dir: Path, m: Metrics, *, rows_per_chunk: int = 4096, level: int | None = None,
              fsync: str = "never") -> WriteStats:
    """Write ``m`` as the sender would: Header, RunStart, KeyDefs, then one
    HistoryBlock record per chunk."""
    kw = {} if level is None else {"level": level}
    wal_dir = run_dir / "wal"
    writer = WalWriter(wal_dir, fsync=FsyncPolicy.parse(fsync), **kw)
    names = m.float_names + m.int_names
    fkeys = list(range(1, len(m.float_names) + 1))
    ikeys = list(range(len(fkeys) + 1, len(names) + 1))
    head = [pb.Record(seq=1, header=pb.Header(tidelog_version="bench", schema_version=1)),
            pb.Record(seq=2, run_start=pb.RunStart(run_id="bench", start_time=float(m.timestamps[0]) - 1))]
    head += [pb.Record(seq=3 + j, key=pb.KeyDef(id=j + 1, name=k)) for j, k in enumerate(names)]
    seq = 3 + len(names)
    raw = enc = 0.0
    raw_bytes = chunks = 0
    t0 = time.perf_counter()
    writer.append([r.SerializeToString() for r in head])
    for a in range(0, m.n, rows_per_chunk):
        b = min(a + rows_per_chunk, m.n)
        te = time.perf_counter()
        block = encode_block(m.steps[a:b], m.timestamps[a:b], fkeys, m.float_cols[:, a:b],
                             ikeys, m.int_cols[:, a:b])
        data = pb.Record(seq=seq, history_block=block).SerializeToString()
        enc += time.perf_counter() - te
        writer.append([data])
        raw_bytes += len(data) + 4
        chunks += 1
        seq += b - a
    writer.close()
    raw = time.perf_counter() - t0
    wal_bytes = sum(p.stat().st_size for p in wal_dir.iterdir())
    return WriteStats(raw, enc, raw_bytes, wal_bytes, chunks)


def shuffle_f8(col: np.ndarray) -> bytes:
    return np.ascontiguousarray(col, dtype="<f8").view(np.uint8).reshape(-1, 8).T.tobytes()


def information_limit_bytes(m: Metrics, level: int = 19) -> int:
    """The same values as per-key float64 columns, byte-shuffled, zstd-19."""
    cctx = zstandard.ZstdCompressor(level=level)
    cols = list(m.float_cols) + [c.astype(np.float64) for c in m.int_cols]
    return sum(len(cctx.compress(shuffle_f8(c))) for c in cols)
