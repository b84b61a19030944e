"""``tidelog server --watch DIR``: the server follows every run under DIR, as ``tidelog sync --follow`` would.

``start_watch(dirs, url)`` starts a daemon thread that, every ``POLL_S``,
finds the runs under each DIR (``DIR/tidelog/run-*``, new ones too) and
steps a ``sync.engine.RunSync`` for each through the server's own HTTP API
(the one write path, the same protocol as ``tidelog sync``). A run that has
ended and is fully sent is looked at again only when its WAL or media
change (a resumed run). A run that fails (a refusal, the server busy) is
reported once on stderr and retried after ``RETRY_S``.

The watcher writes nothing into the watched directories (no sync cursor: a
watched folder may be read-only). When the server has API keys, it uses
``$TIDELOG_API_KEY``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tidelog import settings

if TYPE_CHECKING:   # for the annotation only; _visit imports it where it runs
    from tidelog.sync.engine import RunSync

__all__ = ["Watcher", "start_watch"]

POLL_S = 0.25
RETRY_S = 5.0


def _signature(run_dir: Path) -> tuple:
    out = []
    for sub in ("wal", "media", "files"):
        try:
            for entry in os.scandir(run_dir / sub):
                st = entry.stat()
                out.append((sub, entry.name, st.st_size, st.st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(out))


class Watcher:
    def __init__(self, dirs: list[str], url: str, api_key: str | None = None) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.url = url
        self.api_key = api_key
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._main, name="tidelog-watch", daemon=True)
        self._syncs: dict[Path, RunSync] = {}
        self._settled: dict[Path, tuple] = {}
        self._failed: dict[Path, tuple[float, str]] = {}

    def start(self) -> Watcher:
        self.thread.start()
        return self

    def _main(self) -> None:
        from tidelog.remote.http import ServerClient
        from tidelog.sync.replica import HttpReplica
        from tidelog.sync.retry import Retrying

        self.replica = Retrying(HttpReplica(ServerClient(self.url, self.api_key)), give_up_after=30.0)
        while not self.stop.is_set():
            for run_dir in self._runs():
                if self.stop.is_set():
                    return
                self._visit(run_dir)
            self.stop.wait(POLL_S)

    def _runs(self) -> list[Path]:
        from tidelog.sync.batch import runs_under

        out: list[Path] = []
        for d in self.dirs:
            out += runs_under(d)
        return out

    def _visit(self, run_dir: Path) -> None:
        from tidelog.errors import TidelogError
        from tidelog.sync.engine import RunSync, run_ended

        failed = self._failed.get(run_dir)
        if failed and time.monotonic() - failed[0] < RETRY_S:
            return
        sig = _signature(run_dir)
        if self._settled.get(run_dir) == sig:
            return
        sync = self._syncs.get(run_dir)
        try:
            if sync is None:
                sync = self._syncs[run_dir] = RunSync(self.replica, run_dir, write_cursor=False)
            ended = run_ended(run_dir)
            sync.step(ended)
        except (TidelogError, OSError, ValueError) as err:
            message = f"{type(err).__name__}: {err}"
            if failed is None or failed[1] != message:
                print(f"tidelog server --watch: {run_dir}: {message}; retrying every {RETRY_S:.0f} s",
                      file=sys.stderr, flush=True)
            self._failed[run_dir] = (time.monotonic(), message)
            self._syncs.pop(run_dir, None)
            return
        self._failed.pop(run_dir, None)
        if ended:
            self._settled[run_dir] = sig


def start_watch(dirs: list[str], url: str, api_key: str | None = None) -> Watcher:
    return Watcher(dirs, url, settings.api_key(api_key)).start()
