"""``define_metric``: checking its arguments, and W&B's ``step_sync``.

``define_metric(name, step_metric=s)`` (``step_sync`` defaults to True when a
step metric is given, as in W&B) means: a history row that logs ``name`` but
not ``s`` gets the last value logged for ``s`` (nothing while ``s`` has never
been logged). Lightning and the HF Trainer log ``train/global_step`` in some
rows only and rely on this. A name ending in ``*`` is a glob matching every
key with that prefix (W&B supports a trailing ``*`` only); a key defined by
its exact name ignores the globs, and keys starting with ``_`` never match a
glob. Rows are filled in the training process, so the WAL (and whatever reads
or syncs it) holds the filled-in value, as W&B's history does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from tidelog.api.keys import RESERVED

__all__ = ["Metric", "StepSync", "check_definition", "SUMMARY_CHOICES"]

SUMMARY_CHOICES = {"min", "max", "mean", "best", "last", "first", "none", "copy"}


class Metric:
    """What ``define_metric`` returns."""

    def __init__(self, name: str, step_metric: str | None, step_sync: bool | None,
                 summary: list[str], goal: str | None, hidden: bool) -> None:
        self.name, self.step_metric, self.step_sync = name, step_metric, step_sync
        self.summary, self.goal, self.hidden = summary, goal, hidden

    def __repr__(self) -> str:
        return f"Metric({self.name!r}, step_metric={self.step_metric!r}, summary={self.summary!r}, goal={self.goal!r})"


def check_definition(name: Any, step_metric: Any, summary: str | Sequence[str] | None,
                     goal: Any) -> list[str]:
    """Raise ``TypeError``/``ValueError`` naming what is wrong; return the summary list."""
    if not isinstance(name, str) or not name:
        raise TypeError("tidelog.define_metric: name must be a non-empty string")
    if isinstance(summary, str):
        summary = [s.strip() for s in summary.split(",") if s.strip()]
    summary = list(summary or [])
    bad = [s for s in summary if s not in SUMMARY_CHOICES]
    if bad:
        raise ValueError(f"tidelog.define_metric({name!r}): summary {bad} not one of {sorted(SUMMARY_CHOICES)}")
    if goal is not None and goal not in ("minimize", "maximize"):
        raise ValueError(f"tidelog.define_metric({name!r}): goal must be 'minimize' or 'maximize', not {goal!r}")
    if step_metric is not None and (not isinstance(step_metric, str) or not step_metric):
        raise TypeError(f"tidelog.define_metric({name!r}): step_metric must be a key name")
    return summary


class StepSync:
    """The step-sync rules of one run and the last value of each step metric."""

    def __init__(self) -> None:
        self._exact: dict[str, str | None] = {}     # name -> its step metric (None: defined, no sync)
        self._globs: list[tuple[str, str | None]] = []  # (prefix, step metric), in definition order
        self._steps: set[str] = set()                # every step metric with sync
        self._last: dict[str, Any] = {}
        self._plans: dict[tuple, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def define(self, name: str, step_metric: str | None, sync: bool) -> None:
        target = step_metric if (sync and step_metric and step_metric not in RESERVED) else None
        with self._lock:
            if name.endswith("*"):
                self._globs = [g for g in self._globs if g[0] != name[:-1]] + [(name[:-1], target)]
            else:
                self._exact[name] = target
            self._steps = {s for s in (*self._exact.values(), *(g[1] for g in self._globs)) if s}
            self._plans = {}

    @property
    def active(self) -> bool:
        return bool(self._steps)

    def _target(self, key: str) -> str | None:
        if key in self._exact:
            return self._exact[key]
        if key.startswith("_"):
            return None
        for prefix, target in self._globs:
            if key.startswith(prefix):
                return target
        return None

    def _plan(self, names: tuple) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(step metrics this row logs, step metrics it lacks and needs)."""
        present = set(names)
        logs = tuple(n for n in names if n in self._steps)
        needs = {t for n in names if type(n) is str and (t := self._target(n)) and t not in present}
        return logs, tuple(sorted(needs))

    def fill(self, data: dict) -> dict:
        """``data`` with the last value of each step metric it needs and lacks."""
        names = tuple(data)
        plan = self._plans.get(names)
        if plan is None:
            with self._lock:
                if len(self._plans) >= 4096:
                    self._plans = {}
                plan = self._plans[names] = self._plan(names)
        logs, needs = plan
        last = self._last
        for name in logs:
            last[name] = data[name]
        if needs:
            add = {name: last[name] for name in needs if name in last}
            if add:
                data = {**data, **add}
        return data
