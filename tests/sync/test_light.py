"""The training side stays light: ``import tidelog`` (and a run's trainer process, live mode too) imports
neither the HTTP client nor the progress bar; the sync package is not imported either."""

from __future__ import annotations

import subprocess
import sys

from . import helpers


def test_import_tidelog_imports_no_sync_dependency():
    code = ("import sys, tidelog; print(sorted(m for m in ('httpx', 'tqdm', 'tidelog.sync', 'tidelog.remote', "
            "'tidelog.sender.live') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=helpers.env())
    assert out.stdout.strip() == "[]"


def test_live_mode_trainer_imports_no_http_client(tmp_path):
    code = (f"import sys, tidelog; run = tidelog.init(dir={str(tmp_path)!r}, mode='online'); run.log({{'a': 1}}); "
            "run.finish(); print(sorted(m for m in ('httpx', 'tqdm') if m in sys.modules))")
    dead = "http://127.0.0.1:9"   # nothing listens: the sender warns, the trainer does not care
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=helpers.env(TIDELOG_SERVER=dead), timeout=60)
    assert out.stdout.strip() == "[]"
    assert out.stderr.count("WARNING: live mode") == 1
