"""The spill file holds the backlog, not the history of the run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import tidelog
from tidelog.testing import stored_rows, wait_spill_drained


def test_a_drained_spill_episode_leaves_no_file_behind(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TIDELOG_RING_MB", "1")
    run = tidelog.init(project="spill", dir=tmp_path)
    transport = Path(run.dir) / "transport"
    arr = np.zeros((512, 512, 3), np.uint8)
    for episode in range(3):
        for i in range(4):  # 768 KiB each: the 1 MiB ring overflows into a spill episode
            run.log({"img": tidelog.Image(arr + 4 * episode + i)})
        assert list(transport.glob("spill.*")), "the burst should have spilled"
        wait_spill_drained(run)
        run.log({"x": float(episode)})  # the next log() sees the spill drained and deletes it
        assert not list(transport.glob("spill.*")), f"episode {episode}: spill file kept after it drained"
    run.finish()
    rows = stored_rows(run)
    shas = {r["img"]["sha256"] for r in rows if "img" in r}
    assert len(shas) == 12 and sum("x" in r for r in rows) == 3
