"""A run's state, folded from its WAL: identity, config, summary, state.

The fold is one pass over the WAL's events (``read.events``), which also
gathers the history columns that ``define_metric(summary=...)`` aggregates
need, so ``summary()`` never reads the WAL again. Summary rule (design.md section 3): for each key, the last
value logged to history, unless the user set it (``SummaryUpdate``); keys
with a ``define_metric(summary=...)`` get those aggregates from the history.

The summary also carries the last history row's ``_step``, ``_timestamp``
and ``_runtime``, as W&B's does: those three always come from the rows,
never from a value a user set (a WAL may hold one; it is ignored). Like the
history reader, the fold is total: no value a WAL can hold makes it raise.

State: the exit record's state (``finished``, ``failed``, ``crashed``); with
no exit record, ``running`` while the training process or a sender holds its
lock on the run, else ``crashed`` (both died, e.g. the machine went down).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidelog.read.events import (
    SYSTEM,
    ConfigChanged,
    Damage,
    Exited,
    HistoryColumns,
    HistoryFragment,
    KeyDefined,
    MetricDefined,
    NoticeLogged,
    RunStarted,
    SummaryChanged,
    events,
)
from tidelog.read.history import HistoryColumnsBuilder
from tidelog.records import pb
from tidelog.runlock import SENDER, TRAINER, is_held
from tidelog.wal.reader import WalReader

__all__ = ["RunState", "sender_alive", "trainer_alive"]


def sender_alive(run_dir: Path) -> bool:
    """Does a sender hold this run's lock right now?"""
    return is_held(run_dir, SENDER)


def trainer_alive(run_dir: Path) -> bool:
    """Does a training process hold this run open right now (between init() and finish())?"""
    return is_held(run_dir, TRAINER)


@dataclass
class RunState:
    run_dir: Path
    run_id: str = ""
    project: str = ""
    name: str = ""
    entity: str = ""
    group: str = ""
    job_type: str = ""
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    start_time: float = 0.0
    config: dict[str, Any] = field(default_factory=dict)
    user_summary: dict[str, Any] = field(default_factory=dict)
    removed_summary: set[str] = field(default_factory=set)
    last_logged: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, pb.MetricDef] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    last_step: int | None = None
    last_time: float | None = None
    first_time: float | None = None
    rows: int = 0
    last_seq: int = 0
    exit: pb.RunExit | None = None
    damage: list = field(default_factory=list)
    history: HistoryColumnsBuilder | None = field(default=None, repr=False)  # for metric summaries

    @classmethod
    def load(cls, run_dir: str | os.PathLike) -> RunState:
        run_dir = Path(run_dir)
        state = cls(run_dir=run_dir)
        reader = WalReader(run_dir / "wal")
        history = HistoryColumnsBuilder()
        for event in events(reader.records(), history.names):
            history.add(event)
            state._fold(event, history.names)
        state.damage = list(reader.damage)
        state.last_seq = reader.stats.last_seq
        if any(list(m.summary) for m in state.metrics.values()):
            state.history = history
        return state

    # -- the fold ----------------------------------------------------------------

    def _fold(self, ev, names) -> None:
        if isinstance(ev, HistoryColumns):
            self._block(ev, names)
        elif isinstance(ev, HistoryFragment):
            self._row(ev.step, ev.timestamp, ev.values(names))
        elif isinstance(ev, KeyDefined):
            self.keys[ev.name] = ev.key_id
        elif isinstance(ev, RunStarted):
            s = ev.start
            self.run_id, self.project, self.name, self.entity = s.run_id, s.project, s.name, s.entity
            self.group, self.job_type, self.notes, self.tags = s.group, s.job_type, s.notes, list(s.tags)
            self.start_time = s.start_time
        elif isinstance(ev, ConfigChanged):
            self.config.update(ev.set)
            for k in ev.remove:
                self.config.pop(k, None)
        elif isinstance(ev, SummaryChanged):
            for kid, value in ev.set.items():
                name = names.label(kid)
                self.user_summary[name] = value
                self.removed_summary.discard(name)
            for kid in ev.remove:
                name = names.label(kid)
                self.user_summary.pop(name, None)
                self.removed_summary.add(name)
        elif isinstance(ev, MetricDefined):
            self.metrics[ev.metric.name] = ev.metric
        elif isinstance(ev, Exited):
            self.exit = ev.exit
        elif isinstance(ev, NoticeLogged):
            self.notices.append(ev.notice.message)
        elif isinstance(ev, Damage):
            self.notices.append(f"history block (record {ev.seq}) skipped: its bytes do not match its count")

    def _row(self, step: int, ts: float, values: dict[str, Any]) -> None:
        if step != self.last_step:
            self.rows += 1
            self.last_step = step
        self.last_time = ts
        if self.first_time is None:
            self.first_time = ts
        self.last_logged.update(values)
        if self.removed_summary:  # logged again after `del run.summary[k]`: k is back
            self.removed_summary.difference_update(values)

    def _block(self, ev: HistoryColumns, names) -> None:
        cols = ev.cols
        steps = cols.steps
        if len(steps) == 0:
            return
        self.last_time = float(cols.timestamps[-1])
        if self.first_time is None:
            self.first_time = float(cols.timestamps[0])
        new_rows = int((steps[1:] != steps[:-1]).sum()) + 1
        if steps[0] == self.last_step:
            new_rows -= 1
        self.rows += new_rows
        self.last_step = int(steps[-1])
        last = {names.column(k): v for k, v in ev.last_values().items()}
        last.pop("", None)
        self.last_logged.update(last)
        if self.removed_summary:  # logged again after `del run.summary[k]`: k is back
            self.removed_summary.difference_update(last)

    # -- what readers ask ------------------------------------------------------------

    @property
    def state(self) -> str:
        if self.exit is not None:
            return self.exit.state or ("failed" if self.exit.exit_code else "finished")
        alive = trainer_alive(self.run_dir) or sender_alive(self.run_dir)
        return "running" if alive else "crashed"

    def summary(self) -> dict[str, Any]:
        hidden = self._summary_none()
        out = {k: v for k, v in self.last_logged.items() if k not in self.removed_summary and k not in hidden}
        out.update(self._metric_summaries(out))
        out.update(self.user_summary)
        for name in SYSTEM:  # what the logger wrote, never what a user forced into them
            out.pop(name, None)
        if self.last_step is not None and self.last_time is not None:
            start = self.start_time or self.first_time or self.last_time
            out.update(_step=self.last_step, _runtime=self.last_time - start, _timestamp=self.last_time)
        return out

    def _summary_none(self) -> set[str]:
        """Keys whose define_metric said summary="none"."""
        exact = {m.name for m in self.metrics.values() if "none" in m.summary and not m.name.endswith("*")}
        prefixes = [m.name[:-1] for m in self.metrics.values() if "none" in m.summary and m.name.endswith("*")]
        return exact | {k for k in self.last_logged if any(k.startswith(p) for p in prefixes)}

    def _metric_summaries(self, last: dict[str, Any]) -> dict[str, Any]:
        wanted = {m.name: m for m in self.metrics.values() if list(m.summary) and "*" not in m.name}
        globs = [m for m in self.metrics.values() if list(m.summary) and m.name.endswith("*")]
        for key in last:
            for g in globs:
                if key.startswith(g.name[:-1]) and key not in wanted:
                    wanted[key] = g
        for key in [k for k, m in wanted.items() if "none" in m.summary]:
            del wanted[key]
        if not wanted:
            return {}
        import numpy as np

        if self.history is None:
            return {}
        cols = self.history.finish(keys=list(wanted))
        out: dict[str, Any] = {}
        for key, metric in wanted.items():
            col = cols.get(key)
            if col is None or col.dtype.kind not in "fiu":
                continue
            values = col[~np.isnan(col)] if col.dtype.kind == "f" else col
            if not len(values):
                continue
            agg: dict[str, Any] = {}
            for how in metric.summary:
                if how == "min":
                    agg["min"] = values.min().item()
                elif how == "max":
                    agg["max"] = values.max().item()
                elif how == "mean":
                    agg["mean"] = values.mean().item()
                elif how == "first":
                    agg["first"] = values[0].item()
                elif how == "last":
                    agg["last"] = values[-1].item()
                elif how == "best":
                    agg["best"] = (values.max() if metric.goal == "maximize" else values.min()).item()
            if agg:
                out[key] = agg
        return out
