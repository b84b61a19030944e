"""Server bugs the sync suite found, each pinned by a test that failed before its fix."""

from __future__ import annotations

import threading

import numpy as np
import zstandard

from tidelog.server import blocks


def test_block_compression_is_safe_from_concurrent_ingest_threads():
    """Ingest runs in the server's thread pool; one shared ZstdCompressor corrupted
    blocks when two uploads compressed at once (two syncs of one run)."""
    rng = np.random.default_rng(0)
    inputs = [rng.integers(0, 50, 400_000, dtype=np.uint8).tobytes() for _ in range(8)]
    bad: list[int] = []

    def work(i: int) -> None:
        for _ in range(20):
            out = blocks._zstd(inputs[i])
            try:
                ok = zstandard.ZstdDecompressor().decompress(out, max_output_size=1 << 24) == inputs[i]
            except zstandard.ZstdError:
                ok = False
            if not ok:
                bad.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
