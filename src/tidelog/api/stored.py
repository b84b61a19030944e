"""``tidelog.Api``: runs read back from disk, with W&B's public-API names.

    api = tidelog.Api(dir="X")            # the runs init(dir="X") wrote (X/tidelog also accepted)
    run = api.run("project/run_id")       # or "entity/project/run_id", or "run_id"
    run.scan_history(keys=None)           # every row, unsampled
    run.history(samples=500, keys=None)   # evenly spaced rows; a DataFrame when pandas is installed
    run.summary, run.config, run.state    # state: running | finished | failed | crashed
    run.summary["k"] = v; run.summary.update()   # amend a finished run's summary
    run.summary["val"]["loss"]            # nested access to dotted metrics (val.loss), as in W&B
    run.history(stream="system")          # system metrics (W&B's stream; "events" also accepted)
    run.file("output.log").download()     # console output; run.files() lists the run's files

Runs are re-read from the WAL when asked (``api.run`` returns a fresh view).
A stored run is a ``StoredRun``; the training side's ``tidelog.Run`` is the
other thing called a run (``api/run.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tidelog import settings
from tidelog.api.amend import RunSummary
from tidelog.errors import RunNotFoundError
from tidelog.read import streams
from tidelog.read.history import HistoryReader
from tidelog.read.run import RunState
from tidelog.rundir import root_for, run_dirs

__all__ = ["Api", "StoredRun", "RunSummary"]


class Api:
    """The runs under one directory (or, with ``server=``, a ``RemoteApi`` of a tidelog server)."""

    def __new__(cls, dir: str | os.PathLike | None = None, server: str | None = None,
                api_key: str | None = None, overrides: dict | None = None, timeout: int | None = None):
        # server= (or TIDELOG_SERVER when no dir is given): the runs of a tidelog server.
        server = settings.server_url(server) if server or dir is None else None
        if server:
            from tidelog.remote.api import RemoteApi

            return RemoteApi(server, api_key=api_key, timeout=timeout)
        return super().__new__(cls)

    def __init__(self, dir: str | os.PathLike | None = None, server: str | None = None,
                 api_key: str | None = None, overrides: dict | None = None, timeout: int | None = None) -> None:
        self.root = root_for(Path(settings.read_dir(dir)))

    def _run_dirs(self) -> list[Path]:
        return run_dirs(self.root)

    def runs(self, path: str | None = None, filters: dict | None = None, order: str | None = None,
             per_page: int | None = None) -> list[StoredRun]:
        """Runs of a project (``"project"`` or ``"entity/project"``), oldest first; all runs if None."""
        project = path.split("/")[-1] if path else None
        out = []
        for d in self._run_dirs():
            r = StoredRun(d)
            if project is None or r.project == project:
                out.append(r)
        return out

    def run(self, path: str) -> StoredRun:
        parts = [p for p in str(path).split("/") if p]
        if not parts or len(parts) > 3:
            raise ValueError(f"tidelog.Api.run: expected 'project/run_id', got {path!r}")
        run_id = parts[-1]
        project = parts[-2] if len(parts) >= 2 else None
        for d in reversed(self._run_dirs()):
            if d.name.endswith(f"-{run_id}"):
                r = StoredRun(d)
                # A run whose sender has not yet written its start record has no project yet.
                if project is None or r.project in (project, ""):
                    return r
        raise RunNotFoundError(f"no run {path!r} under {self.root}")


class StoredRun:
    """A run read back from its directory: W&B's public-API ``Run``.

    Identity, config and a summary snapshot are read once, when it is made;
    ``state`` says what the run's locks and WAL said then (running, finished,
    failed, crashed). History is re-read from the WAL on each call, so it
    includes rows written since. ``summary`` is a ``RunSummary``: changes are
    kept until ``summary.update()`` appends them to the WAL.
    """

    def __init__(self, run_dir: Path) -> None:
        self.dir = str(run_dir)
        self._state = RunState.load(run_dir)
        s = self._state
        self.id = s.run_id or run_dir.name.rsplit("-", 1)[-1]
        self.name = s.name or self.id
        self.project = s.project
        self.entity = s.entity
        self.group, self.job_type, self.notes, self.tags = s.group, s.job_type, s.notes, list(s.tags)
        self.config = dict(s.config)
        self.summary = RunSummary(self, s.summary())

    @property
    def state(self) -> str:
        return self._state.state

    @property
    def path(self) -> list[str]:
        return [p for p in (self.entity, self.project, self.id) if p]

    @property
    def lastHistoryStep(self) -> int:
        return -1 if self._state.last_step is None else self._state.last_step

    def __repr__(self) -> str:
        return f"<tidelog Run {self.project}/{self.id} ({self.state})>"

    def _history(self) -> HistoryReader:
        return HistoryReader.from_run_dir(self.dir)

    def scan_history(self, keys: Sequence[str] | None = None, page_size: int | None = None,
                     min_step: int | None = None, max_step: int | None = None) -> Iterator[dict[str, Any]]:
        for row in self._history().rows(keys=list(keys) if keys else None):
            step = row["_step"]
            if (min_step is None or step >= min_step) and (max_step is None or step < max_step):
                yield row

    def history(self, samples: int = 500, keys: Sequence[str] | None = None, x_axis: str = "_step",
                pandas: bool = True, stream: str = "default") -> Any:
        if stream in streams.SYSTEM_STREAMS:
            rows = streams.system_rows(self.dir, self._state.start_time, list(keys) if keys else None)
        elif stream == "default":
            rows = list(self.scan_history(keys=keys))
        else:
            raise ValueError(f"tidelog.Api: history(stream={stream!r}): use 'default' or 'system'")
        if samples and len(rows) > samples:
            last = len(rows) - 1
            picks = sorted({round(i * last / (samples - 1)) for i in range(samples)}) if samples > 1 else [last]
            rows = [rows[i] for i in picks]
        return streams.as_frame(rows, pandas)

    def files(self) -> list[streams.LocalFile]:
        """The run's files by W&B's names (``output.log``, saved files), as W&B's ``run.files()``."""
        return [streams.open_file(self.dir, name) for name in streams.run_files(self.dir)]

    def file(self, name: str) -> streams.LocalFile:
        """One file (``run.file("output.log").download(root)``); FileNotFoundError if the run has none."""
        return streams.open_file(self.dir, name)
