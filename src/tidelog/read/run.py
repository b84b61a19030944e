"""A run's state, folded from its WAL: identity, config, summary, state.

The fold is one pass over the records (history blocks are decoded for their
last row only). Summary rule (design.md section 3): for each key, the last
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

from tidelog.read.history import SYSTEM, HistoryReader, decode_json, decode_value, read_block
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

    @classmethod
    def load(cls, run_dir: str | os.PathLike) -> "RunState":
        run_dir = Path(run_dir)
        state = cls(run_dir=run_dir)
        reader = WalReader(run_dir / "wal")
        names: dict[int, str] = {}
        for rec in reader.records():
            state._fold(rec, names)
        state.damage = list(reader.damage)
        state.last_seq = reader.stats.last_seq
        return state

    # -- the fold ----------------------------------------------------------------

    def _fold(self, rec: "pb.Record", names: dict[int, str]) -> None:
        kind = rec.WhichOneof("kind")
        if kind == "history":
            self._row(rec.history.step, rec.history.timestamp, self._row_values(rec.history, names))
        elif kind == "history_block":
            self._block(rec, names)
        elif kind == "key":
            names[rec.key.id] = rec.key.name
            self.keys[rec.key.name] = rec.key.id
        elif kind == "run_start":
            s = rec.run_start
            self.run_id, self.project, self.name, self.entity = s.run_id, s.project, s.name, s.entity
            self.group, self.job_type, self.notes, self.tags = s.group, s.job_type, s.notes, list(s.tags)
            self.start_time = s.start_time
        elif kind == "config":
            for k, v in rec.config.set.items():
                self.config[k] = decode_json(v)
            for k in rec.config.remove:
                self.config.pop(k, None)
        elif kind == "summary":
            for item in rec.summary.set:
                name = names.get(item.key, f"_key{item.key}")
                self.user_summary[name] = decode_value(item.value)
                self.removed_summary.discard(name)
            for kid in rec.summary.remove:
                name = names.get(kid, f"_key{kid}")
                self.user_summary.pop(name, None)
                self.removed_summary.add(name)
        elif kind == "metric":
            self.metrics[rec.metric.name] = rec.metric
        elif kind == "exit":
            self.exit = rec.exit
        elif kind == "notice":
            self.notices.append(rec.notice.message)

    @staticmethod
    def _row_values(row: "pb.HistoryRow", names: dict[int, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in zip(row.float_keys, row.float_values):
            out[names.get(k, f"_key{k}")] = v
        for k, v in zip(row.int_keys, row.int_values):
            out[names.get(k, f"_key{k}")] = v
        for item in row.items:
            out[names.get(item.key, f"_key{item.key}")] = decode_value(item.value)
        for name in (*SYSTEM, ""):  # the row's own step and time, never a value named so
            out.pop(name, None)
        return out

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

    def _block(self, rec: "pb.Record", names: dict[int, str]) -> None:
        cols = read_block(rec.history_block)
        if cols is None:
            self.notices.append(f"history block (record {rec.seq}) skipped: its bytes do not match its count")
            return
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
        for k, col in zip(cols.float_keys, cols.float_cols):
            self.last_logged[names.get(int(k), f"_key{k}")] = float(col[-1])
        for k, col in zip(cols.int_keys, cols.int_cols):
            self.last_logged[names.get(int(k), f"_key{k}")] = int(col[-1])
        for name in (*SYSTEM, ""):
            self.last_logged.pop(name, None)
        if self.removed_summary:  # logged again after `del run.summary[k]`: k is back
            self.removed_summary.difference_update(
                names.get(int(k), f"_key{k}") for k in (*cols.float_keys, *cols.int_keys))

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

        cols = HistoryReader.from_run_dir(self.run_dir).columns(keys=list(wanted))
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
