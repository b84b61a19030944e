"""``Run``: the object ``tidelog.init()`` returns, with W&B's semantics (design.md section 3).

Logging lives in ``rows.RowWriter`` (steps, threads, the fast path). Here:
identity, the start records, config and summary changes, ``define_metric``,
``save``, ``alert`` and ``finish``. After ``finish()`` every method that
would change the run raises ``UsageError`` and changes nothing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from tidelog._warn import warn
from tidelog.api.attach import close_relay, serve
from tidelog.api.config import Config, as_dict
from tidelog.api.keys import RESERVED, KeyTable
from tidelog.api.link import Link
from tidelog.api.metrics import Metric, check_definition
from tidelog.api.rows import History, RowWriter
from tidelog.api.run_methods import WandbRunMethods
from tidelog.api.summary import Summary
from tidelog.api.values import to_fields
from tidelog.errors import UsageError
from tidelog.records import pb
from tidelog.rundir import RunDir
from tidelog.settings import Settings

__all__ = ["Run", "History", "Metric"]


class Run(RowWriter, WandbRunMethods):
    """One training run, as ``tidelog.init()`` returns it (W&B's ``wandb.Run``).

    Contract: ``log()`` never waits for the sender and never loses a call that
    returned (``rows``); every record leaves through ``Link``, in frame order;
    config, summary, metric definitions, saved files and alerts are records
    too, so the WAL alone says what the run was. Values are checked before
    anything is sent: a refused call changes nothing. After ``finish()``
    every method that would change the run raises ``UsageError``. One process
    owns a run: a forked child's calls are ignored with a warning.
    """

    def __init__(self, settings: Settings, run_dir: Path, run_id: str, *, name: str, entity: str,
                 tags: Sequence[str], notes: str, group: str, job_type: str, start_step: int = 0,
                 first_frame: int = 0, keys: dict[str, int] | None = None, resumed: bool = False) -> None:
        self.settings = settings
        self.id = run_id
        self.name = name
        self.project = settings.project
        self.entity = entity
        self.group = group
        self.job_type = job_type
        self.notes = notes
        self.tags = tuple(tags)
        self.resumed = resumed
        self._run_dir = run_dir
        self._pid = os.getpid()
        self.start_time = time.time()
        self._init_rows(start_step)
        self._link = Link(run_dir, run_id, settings, first_frame)
        self._keys = KeyTable(self._send_keydef)
        for name_, kid in (keys or {}).items():
            self._keys.load(kid, name_)
        self.config = Config(self._send_config)
        self.summary = Summary(self._send_summary, self._last_logged)

    # -- identity --------------------------------------------------------------

    @property
    def dir(self) -> str:
        return str(self._run_dir)

    @property
    def path(self) -> str:
        return "/".join(p for p in (self.entity, self.project, self.id) if p)

    @property
    def step(self) -> int:
        return self._step

    @property
    def url(self) -> None:
        return None  # offline: a server URL exists only after `tidelog sync`

    def __repr__(self) -> str:
        return f"<tidelog Run {self.project}/{self.id} ({self.name}) at {self._run_dir}>"

    # -- start -------------------------------------------------------------------

    def _start(self, config: Any, header: bool) -> None:
        link = self._link
        if header:
            from tidelog._version import __version__

            link.send(pb.Record(header=pb.Header(tidelog_version=__version__, schema_version=1)))
            link.send(pb.Record(run_start=pb.RunStart(
                run_id=self.id, project=self.project, name=self.name, entity=self.entity,
                group=self.group, job_type=self.job_type, notes=self.notes, tags=self.tags,
                start_time=self.start_time, host=os.uname().nodename, pid=os.getpid(),
                program=sys.argv[0] if sys.argv else "", args=sys.argv[1:],
                python_version=sys.version.split()[0], mode=self.settings.mode,
            )))
        else:
            link.send(pb.Record(resume=pb.Resume(time=self.start_time, pid=os.getpid(), next_step=self._step)))
        if config is not None:
            self.config.update(as_dict(config), allow_val_change=True)   # a resumed run's new config too
        link.start()

    def _resume_from(self, state: Any) -> None:
        """Continue where a stored run (a ``read.run.RunState``) left off: its config, the summary
        values set by hand, and the last value logged for each key (for ``run.summary``). Nothing is sent:
        the run's log holds all of it already."""
        self.config.restore(state.config)
        self.summary.restore(state.user_summary)
        self._restore_last_logged(state.last_logged)

    # -- records other than history -----------------------------------------------

    def _check_open(self, what: str) -> None:
        if self._finished:
            raise UsageError(f"tidelog: {what} on a finished run; this run has finished (call "
                             "tidelog.init() to start another, or change a finished run through tidelog.Api)")

    def _send_keydef(self, kid: int, name: str) -> None:
        self._link.send(pb.Record(key=pb.KeyDef(id=kid, name=name)))

    def _send_config(self, values: dict[str, str], remove: list[str]) -> None:
        self._check_open("config change")
        self._link.send(pb.Record(config=pb.ConfigUpdate(set=values, remove=remove)))

    def _send_summary(self, values: dict, remove: list[str]) -> dict:
        self._check_open("summary change")
        values, _ = self._keys.take_reserved(values, summary=True)
        remove = [k for k in remove if k not in RESERVED]
        fields = to_fields(values, self._keys, summary=True)
        update = pb.SummaryUpdate(set=fields.pb_items())
        update.remove.extend(self._keys.id_for(k, None) for k in remove)
        record = pb.Record(summary=update)
        if fields.prepared:
            self._link.send_media(record, fields.prepared)
        else:
            self._link.send(record)
        return fields.plain

    def define_metric(self, name: str, step_metric: str | None = None, step_sync: bool | None = None,
                      hidden: bool | None = None, summary: str | Sequence[str] | None = None,
                      goal: str | None = None, overwrite: bool | None = None) -> Metric:
        self._check_open("define_metric")
        summary = check_definition(name, step_metric, summary, goal)
        sync = bool(step_sync if step_sync is not None else step_metric)  # W&B: on when a step metric is given
        self._link.send(pb.Record(metric=pb.MetricDef(
            name=name, step_metric=step_metric or "", step_sync=sync,
            summary=summary, goal=goal or "", hidden=bool(hidden),
        )))
        self._metric_rules.define(name, step_metric, sync)  # every definition: exact names beat globs
        self._sync = self._metric_rules if self._metric_rules.active else None  # log() fills rows only then
        return Metric(name, step_metric, step_sync, summary, goal, bool(hidden))

    def save(self, path: str | os.PathLike, base_path: str | None = None, policy: str = "live") -> list[str]:
        """Copy a file into the run's ``files/`` (W&B's ``run.save``); returns the stored paths."""
        import hashlib
        import shutil

        self._check_open("save")
        src = Path(path)
        if not src.is_file():
            raise FileNotFoundError(f"tidelog.save: no file at {src}")
        rel = src.name if base_path is None else str(src.resolve().relative_to(Path(base_path).resolve()))
        dest = RunDir(self._run_dir).files / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        data = dest.read_bytes()
        self._link.send(pb.Record(file=pb.FileRecord(
            path=f"files/{rel}", sha256=hashlib.sha256(data).hexdigest(), size=len(data), kind="user")))
        return [str(dest)]

    def watch(self, models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
              idx: int | None = None, log_graph: bool = False) -> None:
        """W&B's ``watch``: gradient and/or parameter histograms of PyTorch models (api/watch.py)."""
        self._check_open("watch")
        from tidelog.api.watch import watch

        watch(self, models, criterion, log, log_freq, idx, log_graph)

    def unwatch(self, models: Any = None) -> None:
        """Remove ``watch``'s hooks from ``models`` (all watched models when None)."""
        self._check_open("unwatch")
        from tidelog.api.watch import unwatch

        unwatch(self, models)

    def alert(self, title: str, text: str, level: str = "INFO", **kwargs: Any) -> None:
        self._check_open("alert")
        level_value = {"INFO": pb.Notice.INFO, "WARN": pb.Notice.WARNING, "ERROR": pb.Notice.ERROR}.get(
            str(level).upper(), pb.Notice.INFO)
        self._link.send(pb.Record(notice=pb.Notice(level=level_value, timestamp=time.time(), key=title, message=text)))

    @property
    def _attach_id(self) -> str:
        """W&B's handle for processes this one starts (Lightning reads it before it spawns workers):
        reading it lets them attach to this run (api/attach.py)."""
        return serve(self)

    # -- finish --------------------------------------------------------------------

    def finish(self, exit_code: int | None = None, quiet: bool | None = None, *,
               _traceback: str = "") -> None:
        """Write the exit record and wait until the sender has written everything."""
        if self._finished:  # before the lock: a forked child may hold a copy of it locked
            return
        with self._link.lock:  # a thread still logging sees the run finished, never a closed ring
            if self._finished:
                return
            self._finished = True
        close_relay(self)   # processes attached to the run (api/attach.py) can no longer reach it
        code = int(exit_code or 0)
        state = "finished" if code == 0 else "failed"
        self._link.send(pb.Record(exit=pb.RunExit(exit_code=code, time=time.time(), state=state,
                                                  traceback=_traceback)))
        self._link.close()
        from tidelog.api import lifecycle

        lifecycle.forget(self)

    def _detach_after_fork(self) -> None:
        """This process is a fork of the trainer: leave the parent's run alone (see lifecycle)."""
        self._finished = True  # finish() and atexit become no-ops here
        if self._link.console is not None:
            self._link.console.detach()  # prints here reach the terminal, and never the parent's ring
        warned: list[bool] = []

        def log(data=None, step=None, commit=None, sync=None) -> None:
            if not warned:
                warned.append(True)
                warn(f"tidelog.log: called in a forked child process (pid {os.getpid()}); the run "
                     f"belongs to process {self._pid}, so this and later calls here are ignored")

        self.log = log  # type: ignore[method-assign]  # a forked child's run ignores log() calls

    @property
    def finished(self) -> bool:
        return self._finished

    def __enter__(self) -> Run:
        return self

    def __exit__(self, etype, value, tb) -> Literal[False]:
        if etype is None:
            self.finish()
        else:
            import traceback

            self.finish(exit_code=1, _traceback="".join(traceback.format_exception(etype, value, tb)))
        return False
