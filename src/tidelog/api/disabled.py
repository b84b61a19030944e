"""``mode="disabled"``: every call accepted, nothing written, no process started.

``log()`` costs one attribute lookup and a call. Config and summary still
behave like dicts, so code that reads them back keeps working.
"""

from __future__ import annotations

from typing import Any, Literal

from tidelog.api.config import Config, as_dict
from tidelog.api.run import History, Metric
from tidelog.api.run_methods import WandbRunMethods
from tidelog.api.summary import Summary

__all__ = ["DisabledRun"]


class DisabledRun(WandbRunMethods):
    disabled = True

    def __init__(self, project: str, run_id: str, name: str, config: Any) -> None:
        self.id, self.name, self.project = run_id, name, project
        self.entity = self.group = self.job_type = self.notes = ""
        self.tags: tuple = ()
        self.dir = ""
        self.path = f"{project}/{run_id}"
        self.url = None
        self.step = 0
        self.resumed = False
        self.config = Config(None)
        self.config.update(as_dict(config))
        self.summary = Summary(None)
        self.history = History(self)  # type: ignore[arg-type]  # History reads only what a disabled run also has
        self.finished = False

    def log(self, data: Any = None, step: Any = None, commit: Any = None, sync: Any = None) -> None:
        return None

    def define_metric(self, name: str, step_metric: Any = None, step_sync: Any = None, hidden: Any = None,
                      summary: Any = None, goal: Any = None, overwrite: Any = None) -> Metric:
        return Metric(name, step_metric, step_sync, [] if summary is None else [summary], goal, bool(hidden))

    def save(self, *args: Any, **kwargs: Any) -> list[str]:
        return []

    def watch(self, *args: Any, **kwargs: Any) -> None:
        return None

    unwatch = alert = watch

    def finish(self, exit_code: Any = None, quiet: Any = None) -> None:
        self.finished = True
        from tidelog.api import lifecycle

        lifecycle.forget(self)

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, *exc: Any) -> Literal[False]:
        self.finish()
        return False
