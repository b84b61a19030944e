"""Writing history rows: ``log()``'s steps, the compiled fast path and the slow path.

Steps. ``_step`` is the step of the row being filled. ``log(d)`` writes ``d``
at ``_step`` and, unless ``commit=False``, moves to the next step.
``log(d, step=s)`` merges into the row while ``s`` stays the same (a larger
``s`` starts a new row; ``commit=True`` closes it at once); a smaller ``s`` is
refused with a warning and nothing else changes. Each call is written as a
history *fragment* right away and the reader merges fragments of one step,
so a crash never loses a call that returned.

Threads. A row's step is claimed under ``link.lock``, the lock every frame
takes, and in the same critical section ``Link.put``/``Link.put_packed``
number the frame and hand it over: each committing call is one row, steps
increase in the order calls complete, and the WAL holds them in that order. Work that needs no
order (turning values into fields, defining
keys, preparing media) happens before the lock is taken.

Special rows. A dict holding a nested dict or one of the reserved keys
(``keys.RESERVED``) is flattened to dotted names and stripped of reserved
keys first (a numeric ``_timestamp`` sets the row's time), then logged like
any other. ``define_metric(step_metric=..)`` rows get their step metric
filled in (``metrics.StepSync``).

Hot path. A dict of only ints and floats goes through a compiled
``RowPacker`` (one per keys-and-types layout): no protobuf objects, one
``struct.pack_into`` straight into the shared-memory ring. Everything else
goes through ``values.to_fields`` and the protobuf library.
"""

from __future__ import annotations

import operator
import struct
import time
from collections.abc import Mapping, Sequence
from typing import Any

from tidelog._warn import warn
from tidelog.api.keys import NUMBER, RESERVED, KeyTable
from tidelog.api.link import Link
from tidelog.api.metrics import StepSync
from tidelog.api.values import INT64_MAX, INT64_MIN, _is_number_type, flatten, to_fields
from tidelog.errors import KeyCollisionError, UsageError
from tidelog.media.listing import IMAGES_PER_STEP_WARN
from tidelog.transport.fastpath import RowPacker, encode_history

__all__ = ["History", "RowWriter"]

_MAX_LAYOUTS = 4096       # compiled layouts kept; beyond that the cache starts over


class History:
    """The legacy ``run.history`` object: ``row`` accumulates, ``add()`` logs."""

    def __init__(self, run: RowWriter) -> None:
        self._run = run
        self.row: dict[str, Any] = {}

    def add(self, d: dict | None = None) -> None:
        if d:
            self.row.update(d)
        self._run.log({})


class RowWriter:
    """The history half of ``Run`` (a base class: ``Run`` adds identity, config, summary, finish)."""

    _link: Link
    _keys: KeyTable
    history: History
    start_time: float

    def _init_rows(self, start_step: int) -> None:
        self._step = start_step
        self._finished = False
        self._layouts: dict = {}
        self._slow_last: dict[str, tuple[int, Any]] = {}
        self._slow_row: tuple[int, int, float] | None = None  # (frame, step, time) of the last slow row
        self._metric_rules = StepSync()         # define_metric's step-sync rules
        self._sync: StepSync | None = None      # the same, while any rule syncs a step metric
        self._image_step, self._images, self._images_warned = -1, 0, False
        self.history = History(self)

    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None,
            sync: bool | None = None) -> None:
        """Log a dict of values to the current history row (W&B's ``wandb.log``)."""
        if self._finished:
            raise UsageError("tidelog.log: this run has finished; call tidelog.init() to start another")
        if type(data) is not dict:
            if not isinstance(data, Mapping):
                raise TypeError(f"tidelog.log: data must be a dict, not {type(data).__name__}")
            data = dict(data)
        if step is not None:
            try:
                step = operator.index(step)
            except TypeError:
                raise TypeError(f"tidelog.log: step must be an int, not {type(step).__name__} "
                                f"(keys {sorted(map(str, data))} were not logged)") from None
            if step < self._step:  # checked again under the lock, where another thread may have moved on
                return self._refuse_step(data, step, self._step)
        if self.history.row:
            data = {**self.history.row, **data}
            self.history.row.clear()
        if self._sync is not None:
            data = self._sync.fill(flatten(data))
        if data:
            self._write_row(data, step, commit)
        else:
            with self._link.lock:
                self._claim(step, commit, data)

    @staticmethod
    def _refuse_step(data: dict, step: int, cur: int) -> None:
        warn(f"tidelog.log: step {step} is smaller than the current step {cur}; "
             f"keys {sorted(map(str, data))} were not logged (steps only move forward)")

    def _claim(self, step: int | None, commit: bool | None, data: dict) -> int | None:
        """Under ``link.lock``: the step this call writes at, moving ``run.step``; None if refused."""
        if self._finished:
            raise UsageError("tidelog.log: this run has finished; call tidelog.init() to start another")
        cur = self._step
        if step is None:
            if commit is not False:
                self._step = cur + 1
            return cur
        if step < cur:
            self._refuse_step(data, step, cur)
            return None
        self._step = step + 1 if commit is True else step
        return step

    def _write_row(self, data: dict, step: int | None, commit: bool | None) -> None:
        vals = tuple(data.values())
        key = (tuple(data), tuple(map(type, vals)))
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._compile(key, data)
        if type(lay) is not RowPacker:
            return lay(data, step, commit)  # the slow path, or a row to flatten / strip first
        if lay.order is not None:
            vals = lay.order(vals)
        link = self._link
        with link.lock:
            cur = self._step
            if step is None and not self._finished:  # the common case of _claim, inline
                s = cur
                if commit is not False:
                    self._step = cur + 1
            else:
                s = self._claim(step, commit, data)  # type: ignore[assignment]  # None is checked on the next line
                if s is None:
                    return
            ts = time.time()
            try:
                lay.last = (link.put_packed(lay, vals, s, ts), vals, s, ts)
            except struct.error:
                self._step = cur  # an int beyond int64: nothing written, the slow path claims again
                lay = None
        if lay is None:
            self._write_slow(data, step, commit)

    def _compile(self, key: tuple, data: dict) -> Any:
        """The layout for ``key``: a ``RowPacker`` or the method that writes such rows."""
        if len(self._layouts) >= _MAX_LAYOUTS:
            self._retire_layouts()
        names = list(key[0])
        if any(issubclass(t, dict) for t in key[1]) or not RESERVED.isdisjoint(names):
            return self._layouts.setdefault(key, self._write_special)
        kinds = [_is_number_type(t) for t in key[1]]
        if not all(kinds) or len(data) > 500:
            return self._layouts.setdefault(key, self._write_slow)
        mark = self._keys.mark()
        try:
            ids = [self._keys.id_for(k, NUMBER) for k in names]
        except KeyCollisionError:
            self._keys.rollback(mark)  # the slow path logs the other keys and refuses this one
            return self._layouts.setdefault(key, self._write_slow)
        except (TypeError, ValueError):
            self._keys.rollback(mark)  # the call logs nothing, so no key keeps a type from it
            raise
        floats = [i for i, k in enumerate(kinds) if k == "float"]
        ints = [i for i, k in enumerate(kinds) if k == "int"]
        order = floats + ints
        lay = RowPacker([ids[i] for i in floats], [ids[i] for i in ints],
                        None if order == list(range(len(order))) else operator.itemgetter(*order))
        names_by_id = self._keys.names()
        lay.names = tuple(names_by_id[ids[i]] for i in order)
        return self._layouts.setdefault(key, lay)  # another thread's layout, if it was first

    def _retire_layouts(self) -> None:
        """Empty the layout cache, keeping each retired layout's last values for run.summary."""
        with self._link.lock:
            for lay in list(self._layouts.values()):
                if type(lay) is RowPacker and lay.last is not None:
                    frame_no, values, step, ts = lay.last
                    for name, value in zip(lay.names, values):
                        if self._slow_last.get(name, (-1, None))[0] < frame_no:
                            self._slow_last[name] = (frame_no, value)
                    if self._slow_row is None or self._slow_row[0] < frame_no:
                        self._slow_row = (frame_no, step, ts)
            self._layouts.clear()

    def _write_special(self, data: dict, step: int | None, commit: bool | None) -> None:
        """A row with nested dicts or reserved keys: flattened and stripped, then logged."""
        rest, ts = self._keys.take_reserved(flatten(data))
        if ts is None and rest and all(_is_number_type(type(v)) for v in rest.values()):
            return self._write_row(rest, step, commit)  # nested numbers: the fast path
        self._write_slow(rest, step, commit, ts)

    def _write_slow(self, data: dict, step: int | None, commit: bool | None, ts: float | None = None) -> None:
        f = to_fields(data, self._keys)
        link = self._link
        with link.lock:
            s = self._claim(step, commit, data)
            if s is None or not data:
                return
            if ts is None:
                ts = time.time()
            frame_no = link.put(encode_history(s, ts, f.float_keys, f.float_values, f.int_keys,
                                               f.int_values, f.items, link.frame + 1), f.prepared)
            for k, v in f.plain.items():
                self._slow_last[k] = (frame_no, v)
            self._slow_row = (frame_no, s, ts)
        if f.prepared:
            self._count_images(s, f.prepared)

    def _restore_last_logged(self, values: dict) -> None:
        """A resumed run's last logged values (before any of this process's frames)."""
        self._slow_last.update((k, (0, v)) for k, v in values.items())

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
        """The last value logged to history for each key, in logging order, with the last
        row's ``_step``, ``_runtime`` and ``_timestamp`` (W&B's summary carries them)."""
        with self._link.lock:  # a consistent snapshot while other threads log
            entries: list[tuple[int, Sequence[str], Sequence[Any]]] = []
            last_row = self._slow_row
            for lay in list(self._layouts.values()):
                if type(lay) is RowPacker and lay.last is not None:
                    frame_no, values, step, ts = lay.last
                    entries.append((frame_no, lay.names, values))
                    if last_row is None or last_row[0] < frame_no:
                        last_row = (frame_no, step, ts)
            for k, (frame_no, v) in self._slow_last.items():
                entries.append((frame_no, (k,), (v,)))
        entries.sort(key=lambda e: e[0])
        out: dict[str, Any] = {}
        for _, names, values in entries:
            out.update(zip(names, values))
        out = {k: (_plain_number(v) if not isinstance(v, (dict, list, str)) else v) for k, v in out.items()}
        if last_row is not None:
            _, step, ts = last_row
            out.update(_step=step, _runtime=ts - self.start_time, _timestamp=ts)
        return out


def _plain_number(v: Any) -> Any:
    """numpy scalars as Python numbers, the way a reader of the summary sees them."""
    t = _is_number_type(type(v))
    if t == "float":
        return float(v)
    if t == "int":
        iv = int(v)
        return iv if INT64_MIN <= iv <= INT64_MAX else float(iv)
    return v

