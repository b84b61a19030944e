"""A run being synced updates its charts and media slider without a reload."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .harness import REPO, run_dirs, upload
from .looks import drawn


def _wait_file(p: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not p.exists():
        assert proc.poll() is None, f"the training process exited {proc.returncode}"
        assert time.monotonic() < deadline, f"{p.name} never came"
        time.sleep(0.05)


def test_live_run_updates_charts_and_slider_without_reload(page, site, tmp_path, shot):
    base, gate = tmp_path / "runs", tmp_path / "gate"
    gate.mkdir()
    # system metrics every 0.2 s, so the run page's System tab has something to draw
    proc = subprocess.Popen([sys.executable, "tests/ui/runs.py", "live", str(base), str(gate)], cwd=REPO,
                            env={**os.environ, "TIDELOG_STATS_INTERVAL": "0.2"})
    try:
        _wait_file(gate / "ready1", proc)
        run_dir = run_dirs(base)["live-run"]
        res = upload(site["url"], run_dir)
        page.goto(f"{site['url']}/live/runs/{res.run_id}?tab=charts")
        chart = page.locator('.panel[data-key="live_metric"] .chart[data-painted="1"]')
        chart.wait_for()
        assert chart.get_attribute("data-xmax") == "19"
        assert page.locator("h1.run-title .state").inner_text() == "running"
        image = page.locator('.panel[data-key="live_image"]')
        image.scroll_into_view_if_needed()
        image.locator(".step-label").wait_for()
        assert image.locator(".step-label").inner_text() == "Step 20"

        (gate / "go").write_text("")
        _wait_file(gate / "ready2", proc)
        upload(site["url"], run_dir)
        synced = time.monotonic()
        # polled every 2 s: the new steps show up with no reload
        page.wait_for_function("""() => document.querySelector('.panel[data-key="live_metric"] .chart')
            .dataset.xmax === '40'""", timeout=10_000)
        shown_after = time.monotonic() - synced
        page.wait_for_function("""() => document.querySelector('.panel[data-key="live_image"] .step-label')
            .textContent === 'Step 41'""", timeout=10_000)
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        print(f"live update shown {shown_after:.2f} s after the upload")
        page.locator('button[data-tab="system"]').click()
        system = page.locator(".system .panel .chart[data-painted='1']").first
        system.wait_for()
        assert drawn(system)
        assert page.locator(".system .panel").count() >= 2  # cpu, memory, ...
        shot(page, "run-system")
    finally:
        (gate / "go").write_text("")
        (gate / "end").write_text("")
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
