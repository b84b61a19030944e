"""``Run``: the object ``tidelog.init()`` returns, with W&B's semantics (design.md section 3).

Steps. ``_step`` is the step of the row being filled. ``log(d)`` writes ``d``
at ``_step`` and, unless ``commit=False``, moves to the next step.
``log(d, step=s)`` merges into the row while ``s`` stays the same (a larger
``s`` starts a new row; ``commit=True`` closes it at once); a smaller ``s`` is
refused with a warning and nothing else changes. Each call is written as a
history *fragment* right away and the reader merges fragments of one step,
so a crash never loses a call that returned.

Hot path. A dict of only ints and floats goes through a compiled
``RowLayout`` (one per keys-and-types layout): no protobuf objects, one
``struct.pack_into`` straight into the shared-memory ring. Everything else
goes through ``values.to_fields`` and the protobuf library.
"""

from __future__ import annotations

import operator
import os
import struct
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Sequence

from tidelog._warn import warn
from tidelog.api.config import Config, as_dict
from tidelog.api.keys import NUMBER, KeyTable
from tidelog.api.link import Link
from tidelog.api.summary import Summary
from tidelog.compat.run_methods import WandbRunMethods
from tidelog.api.values import INT64_MAX, INT64_MIN, _is_number_type, to_fields
from tidelog.errors import KeyCollisionError, UsageError
from tidelog.records import pb
from tidelog.records.fastpath import RowLayout, encode_history
from tidelog.media.listing import IMAGES_PER_STEP_WARN
from tidelog.settings import Settings
from tidelog.transport.frames import layout_media

__all__ = ["Run", "History", "Metric"]

_SLOW = object()          # layout marker: this keys-and-types layout takes the slow path
_MAX_LAYOUTS = 4096       # compiled layouts kept; beyond that the cache starts over
_SUMMARY_CHOICES = {"min", "max", "mean", "best", "last", "first", "none", "copy"}


class History:
    """The legacy ``run.history`` object: ``row`` accumulates, ``add()`` logs."""

    def __init__(self, run: "Run") -> None:
        self._run = run
        self.row: dict[str, Any] = {}

    def add(self, d: dict | None = None) -> None:
        if d:
            self.row.update(d)
        self._run.log({})


class Metric:
    """What ``define_metric`` returns."""

    def __init__(self, name: str, step_metric: str | None, step_sync: bool | None,
                 summary: list[str], goal: str | None, hidden: bool) -> None:
        self.name, self.step_metric, self.step_sync = name, step_metric, step_sync
        self.summary, self.goal, self.hidden = summary, goal, hidden

    def __repr__(self) -> str:
        return f"Metric({self.name!r}, step_metric={self.step_metric!r}, summary={self.summary!r}, goal={self.goal!r})"


class Run(WandbRunMethods):
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
        self._step = start_step
        self._finished = False
        self._layouts: dict = {}
        self._slow_last: dict[str, tuple[int, Any]] = {}
        self._image_step, self._images, self._images_warned = -1, 0, False
        self._link = Link(run_dir, run_id, settings, first_frame)
        self._keys = KeyTable(self._send_keydef)
        for name_, kid in (keys or {}).items():
            self._keys.load(kid, name_)
        self.config = Config(self._send_config)
        self.summary = Summary(self._send_summary, self._last_logged)
        self.history = History(self)

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
            self.config.update(as_dict(config))
        link.start()

    # -- log -----------------------------------------------------------------------

    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None,
            sync: bool | None = None) -> None:
        """Log a dict of values to the current history row (W&B's ``wandb.log``)."""
        if self._finished:
            raise UsageError("tidelog.log: this run has finished; call tidelog.init() to start another")
        if type(data) is not dict:
            if not isinstance(data, Mapping):
                raise TypeError(f"tidelog.log: data must be a dict, not {type(data).__name__}")
            data = dict(data)
        cur = self._step
        if step is not None:
            try:
                step = operator.index(step)
            except TypeError:
                raise TypeError(f"tidelog.log: step must be an int, not {type(step).__name__} "
                                f"(keys {sorted(map(str, data))} were not logged)") from None
            if step < cur:
                warn(f"tidelog.log: step {step} is smaller than the current step {cur}; "
                     f"keys {sorted(map(str, data))} were not logged (steps only move forward)")
                return
            cur = step
            advance = commit is True
        else:
            advance = commit is not False
        if self.history.row:
            data = {**self.history.row, **data}
            self.history.row.clear()
        if data:
            self._write_row(data, cur)
        self._step = cur + 1 if advance else cur

    def _write_row(self, data: dict, step: int) -> None:
        vals = tuple(data.values())
        key = (tuple(data), tuple(map(type, vals)))
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._compile(key, data)
        if lay is _SLOW:
            return self._write_slow(data, step)
        if lay.order is not None:
            vals = lay.order(vals)
        link = self._link
        with link.lock:
            fn = link.frame + 1
            ts = time.time()
            chan = link.channel
            off = chan.reserve(lay.size)
            try:
                if off >= 0:
                    lay.pack_into(chan.mm, off, vals, step, ts, fn)
                    chan.publish()
                else:
                    frame = lay.pack(vals, step, ts, fn)
                    chan.spill([frame, b"\0" * (lay.size - len(frame))])
            except struct.error:
                fn = -1  # an int beyond int64: this call takes the slow path
            else:
                link.frame = fn
                lay.last = (fn, vals)
        if fn < 0:
            self._write_slow(data, step)

    def _compile(self, key: tuple, data: dict) -> Any:
        if len(self._layouts) >= _MAX_LAYOUTS:
            self._retire_layouts()
        kinds = [_is_number_type(t) for t in key[1]]
        if not all(kinds) or len(data) > 500:
            self._layouts[key] = _SLOW
            return _SLOW
        names = list(key[0])
        mark = self._keys.mark()
        try:
            ids = [self._keys.id_for(k, NUMBER) for k in names]
        except KeyCollisionError:
            self._keys.rollback(mark)  # the slow path logs the other keys and refuses this one
            self._layouts[key] = _SLOW
            return _SLOW
        except (TypeError, ValueError):
            self._keys.rollback(mark)  # the call logs nothing, so no key keeps a type from it
            raise
        floats = [i for i, k in enumerate(kinds) if k == "float"]
        ints = [i for i, k in enumerate(kinds) if k == "int"]
        order = floats + ints
        lay = RowLayout([ids[i] for i in floats], [ids[i] for i in ints],
                        None if order == list(range(len(order))) else operator.itemgetter(*order))
        names_by_id = self._keys.names()
        lay.names = tuple(names_by_id[ids[i]] for i in order)
        self._layouts[key] = lay
        return lay

    def _retire_layouts(self) -> None:
        """Empty the layout cache, keeping each retired layout's last values for run.summary."""
        for lay in self._layouts.values():
            if lay is not _SLOW and lay.last is not None:
                fn, values = lay.last
                for name, value in zip(lay.names, values):
                    if self._slow_last.get(name, (-1, None))[0] < fn:
                        self._slow_last[name] = (fn, value)
        self._layouts.clear()

    def _write_slow(self, data: dict, step: int) -> None:
        f = to_fields(data, self._keys)
        link = self._link
        with link.lock:
            fn = link.frame + 1
            record = encode_history(step, time.time(), f.float_keys, f.float_values, f.int_keys,
                                    f.int_values, f.items, fn)
            if f.prepared:
                link.channel.send_media(layout_media(record, f.prepared))
            else:
                link.channel.send(record)
            link.frame = fn
        for k, v in f.plain.items():
            self._slow_last[k] = (fn, v)
        if f.prepared:
            self._count_images(step, f.prepared)

    def _count_images(self, step: int, prepared: list) -> None:
        """W&B recommends at most 50 images per step: more, across all keys of a step, warns once."""
        sizes = [1 if p.kind == "image" else len(p.meta["items"])
                 for p in prepared if p.kind == "image" or (p.kind == "list" and p.meta.get("type") == "Image")]
        if not sizes:
            return
        if step != self._image_step:
            self._image_step, self._images, self._images_warned = step, 0, False
        self._images += sum(sizes)
        if self._images > IMAGES_PER_STEP_WARN and not self._images_warned:
            self._images_warned = True
            if max(sizes) <= IMAGES_PER_STEP_WARN:  # one list over the limit has warned already
                warn(f"tidelog.log: {self._images} images logged at step {step}; "
                     f"at most {IMAGES_PER_STEP_WARN} per step is recommended")

    def _last_logged(self) -> dict:
        """The last value logged to history for each key, in logging order."""
        entries: list[tuple[int, Sequence[str], Sequence[Any]]] = []
        for lay in self._layouts.values():
            if lay is not _SLOW and lay.last is not None:
                entries.append((lay.last[0], lay.names, lay.last[1]))
        for k, (fn, v) in self._slow_last.items():
            entries.append((fn, (k,), (v,)))
        entries.sort(key=lambda e: e[0])
        out: dict[str, Any] = {}
        for _, names, values in entries:
            out.update(zip(names, values))
        return {k: (_plain_number(v) if not isinstance(v, (dict, list, str)) else v) for k, v in out.items()}

    # -- records other than history -----------------------------------------------

    def _send_keydef(self, kid: int, name: str) -> None:
        self._link.send(pb.Record(key=pb.KeyDef(id=kid, name=name)))

    def _send_config(self, values: dict[str, str], remove: list[str]) -> None:
        self._link.send(pb.Record(config=pb.ConfigUpdate(set=values, remove=remove)))

    def _send_summary(self, values: dict, remove: list[str]) -> dict:
        if self._finished:
            raise UsageError("tidelog: this run has finished; update its summary through tidelog.Api")
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
        if not isinstance(name, str) or not name:
            raise TypeError("tidelog.define_metric: name must be a non-empty string")
        if isinstance(summary, str):
            summary = [s.strip() for s in summary.split(",") if s.strip()]
        summary = list(summary or [])
        bad = [s for s in summary if s not in _SUMMARY_CHOICES]
        if bad:
            raise ValueError(f"tidelog.define_metric({name!r}): summary {bad} not one of {sorted(_SUMMARY_CHOICES)}")
        if goal is not None and goal not in ("minimize", "maximize"):
            raise ValueError(f"tidelog.define_metric({name!r}): goal must be 'minimize' or 'maximize', not {goal!r}")
        if step_metric is not None and not isinstance(step_metric, str):
            raise TypeError(f"tidelog.define_metric({name!r}): step_metric must be a key name")
        self._link.send(pb.Record(metric=pb.MetricDef(
            name=name, step_metric=step_metric or "", step_sync=bool(step_sync if step_sync is not None else step_metric),
            summary=summary, goal=goal or "", hidden=bool(hidden),
        )))
        return Metric(name, step_metric, step_sync, summary, goal, bool(hidden))

    def save(self, path: str | os.PathLike, base_path: str | None = None, policy: str = "live") -> list[str]:
        """Copy a file into the run's ``files/`` (W&B's ``run.save``); returns the stored paths."""
        import hashlib
        import shutil

        src = Path(path)
        if not src.is_file():
            raise FileNotFoundError(f"tidelog.save: no file at {src}")
        rel = src.name if base_path is None else str(src.resolve().relative_to(Path(base_path).resolve()))
        dest = self._run_dir / "files" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        data = dest.read_bytes()
        self._link.send(pb.Record(file=pb.FileRecord(
            path=f"files/{rel}", sha256=hashlib.sha256(data).hexdigest(), size=len(data), kind="user")))
        return [str(dest)]

    def watch(self, *args: Any, **kwargs: Any) -> None:
        """Accepted so W&B scripts run; gradient and parameter histograms are not collected yet."""

    def unwatch(self, *args: Any, **kwargs: Any) -> None:
        """Accepted so W&B scripts run."""

    def alert(self, title: str, text: str, level: str = "INFO", **kwargs: Any) -> None:
        level_value = {"INFO": pb.Notice.INFO, "WARN": pb.Notice.WARNING, "ERROR": pb.Notice.ERROR}.get(
            str(level).upper(), pb.Notice.INFO)
        self._link.send(pb.Record(notice=pb.Notice(level=level_value, timestamp=time.time(), key=title, message=text)))

    # -- finish --------------------------------------------------------------------

    def finish(self, exit_code: int | None = None, quiet: bool | None = None, *,
               _traceback: str = "") -> None:
        """Write the exit record and wait until the sender has written everything."""
        if self._finished:
            return
        self._finished = True
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
        warned = []

        def log(data=None, step=None, commit=None, sync=None) -> None:
            if not warned:
                warned.append(True)
                warn(f"tidelog.log: called in a forked child process (pid {os.getpid()}); the run "
                     f"belongs to process {self._pid}, so this and later calls here are ignored")

        self.log = log  # type: ignore[method-assign]

    @property
    def finished(self) -> bool:
        return self._finished

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, etype, value, tb) -> bool:
        if etype is None:
            self.finish()
        else:
            import traceback

            self.finish(exit_code=1, _traceback="".join(traceback.format_exception(etype, value, tb)))
        return False


def _plain_number(v: Any) -> Any:
    """numpy scalars as Python numbers, the way a reader of the summary sees them."""
    t = _is_number_type(type(v))
    if t == "float":
        return float(v)
    if t == "int":
        iv = int(v)
        return iv if INT64_MIN <= iv <= INT64_MAX else float(iv)
    return v

