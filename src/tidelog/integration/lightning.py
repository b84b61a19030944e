"""``TidelogLogger``: a Lightning logger writing a tidelog run.

    from tidelog.integration.lightning import TidelogLogger
    trainer = L.Trainer(logger=TidelogLogger(project="mnist", save_dir="runs"))

It mirrors Lightning's ``WandbLogger`` on what it records: hyperparameters go
to ``run.config``; ``log_metrics(metrics, step)`` logs one row with
``trainer/global_step`` set to ``step``, the x-axis of every metric;
``log_image`` / ``log_audio`` / ``log_video`` / ``log_table`` / ``log_text``
log lists of ``tidelog.Image`` / ``Audio`` / ``Video`` and ``tidelog.Table``.
The run starts on first use in the rank-zero process (or reuses a run
already started with ``tidelog.init()``) and finishes when the
process exits, or at ``finalize`` when ``finish_on_end=True``. Works with
``lightning`` or the older ``pytorch_lightning`` package.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Mapping
from typing import Any

try:
    from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
    from lightning.pytorch.utilities import rank_zero_only
except ImportError:  # the older package name
    from pytorch_lightning.loggers.logger import Logger, rank_zero_experiment
    from pytorch_lightning.utilities import rank_zero_only

from tidelog import settings
from tidelog.integration._logs import ensure_run, per_item_kwargs

__all__ = ["TidelogLogger"]

STEP_KEY = "trainer/global_step"


class TidelogLogger(Logger):
    def __init__(self, name: str | None = None, save_dir: str | os.PathLike | None = None,
                 version: str | None = None, project: str | None = None, prefix: str = "",
                 finish_on_end: bool = False, **init_kwargs: Any) -> None:
        super().__init__()
        self._init = {"name": name, "dir": os.fspath(save_dir) if save_dir is not None else None,
                      "id": version, "project": project or settings.env_project()
                      or "lightning_logs", **init_kwargs}
        if version is not None:
            self._init.setdefault("resume", "allow")
        self._prefix = prefix
        self._finish_on_end = finish_on_end
        self._run: Any = None

    @property
    @rank_zero_experiment
    def experiment(self) -> Any:
        """The ``tidelog.Run``."""
        if self._run is None:
            self._run = ensure_run(self._init, STEP_KEY)
        return self._run

    @property
    def name(self) -> str:
        return self._init["project"]

    @property
    def version(self) -> str | None:
        return self._run.id if self._run is not None else self._init.get("id")

    @property
    def save_dir(self) -> str | None:
        return self._init.get("dir")

    @rank_zero_only
    def log_hyperparams(self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any) -> None:
        if isinstance(params, Namespace):
            params = vars(params)
        self.experiment.config.update(_plain(dict(params)), allow_val_change=True)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        row = {f"{self._prefix}-{k}" if self._prefix else k: _scalar(v) for k, v in metrics.items()}
        if step is not None:
            row[STEP_KEY] = step
        self.experiment.log(row)

    @rank_zero_only
    def log_image(self, key: str, images: list[Any], step: int | None = None, **kwargs: Any) -> None:
        import tidelog

        if not isinstance(images, list):
            raise TypeError(f"TidelogLogger.log_image({key!r}): images must be a list, not {type(images).__name__}")
        items = per_item_kwargs("images", len(images), kwargs)
        self.log_metrics({key: [tidelog.Image(img, **kw) for img, kw in zip(images, items)]}, step)

    @rank_zero_only
    def log_table(self, key: str, columns: list[str] | None = None, data: list[list[Any]] | None = None,
                  dataframe: Any = None, step: int | None = None) -> None:
        import tidelog

        self.log_metrics({key: tidelog.Table(columns=columns, data=data, dataframe=dataframe)}, step)

    @rank_zero_only
    def log_audio(self, key: str, audios: list[Any], step: int | None = None, **kwargs: Any) -> None:
        import tidelog

        items = per_item_kwargs("audios", len(audios), kwargs)
        self.log_metrics({key: [tidelog.Audio(a, **kw) for a, kw in zip(audios, items)]}, step)

    @rank_zero_only
    def log_video(self, key: str, videos: list[Any], step: int | None = None, **kwargs: Any) -> None:
        import tidelog

        items = per_item_kwargs("videos", len(videos), kwargs)
        self.log_metrics({key: [tidelog.Video(v, **kw) for v, kw in zip(videos, items)]}, step)

    def log_text(self, key: str, columns: list[str] | None = None, data: list[list[str]] | None = None,
                 dataframe: Any = None, step: int | None = None) -> None:
        self.log_table(key, columns, data, dataframe, step)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        if self._finish_on_end and self._run is not None and not self._run.finished:
            self._run.finish(exit_code=0 if status == "success" else 1)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_run"] = None  # a run is written by one process; a spawned worker starts afresh
        return state


def _scalar(v: Any) -> Any:
    """Tensors of one element as Python numbers; anything else as given."""
    item = getattr(v, "item", None)
    if item is not None and getattr(v, "numel", lambda: 0)() == 1:
        return item()
    return v


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Values config cannot hold as JSON (callables, modules, tensors) as their text."""
    import json

    out = {}
    for k, v in params.items():
        v = _scalar(v)
        try:
            json.dumps(v)
        except (TypeError, ValueError):
            v = v if isinstance(v, dict) else str(v)
        out[str(k)] = v
    return out
