"""``TidelogCallback``: a transformers ``TrainerCallback`` writing a tidelog run.

    from tidelog.integration.transformers import TidelogCallback
    Trainer(..., args=TrainingArguments(..., report_to="none"), callbacks=[TidelogCallback()])

It records what ``report_to="wandb"`` records, under the same names: the
training arguments and the model's config (plus ``model/num_parameters``) in
``run.config``; every ``on_log`` as a row with ``train/global_step``, the
x-axis of every metric (``eval_*`` keys become ``eval/*``, ``test_*``
``test/*``, the rest ``train/*``); the end-of-training figures
(``train_runtime``, ``train_loss``, ``total_flos``, ...) in ``run.summary``.
The run starts at ``on_train_begin`` in the main process (or reuses a run
started with ``tidelog.init()``) with ``project`` (default ``TIDELOG_PROJECT``,
``WANDB_PROJECT``, else ``huggingface``) and ``name`` = ``args.run_name``.
"""

from __future__ import annotations

import os
from typing import Any

from transformers import TrainerCallback

from tidelog import settings
from tidelog.integration._logs import ensure_run

__all__ = ["TidelogCallback", "rewrite_logs"]

STEP_KEY = "train/global_step"
SUMMARY_ONLY = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss",
                "total_flos")


def rewrite_logs(logs: dict[str, Any]) -> dict[str, Any]:
    """The Trainer's log names as W&B shows them: ``eval_loss`` -> ``eval/loss``, ``loss`` -> ``train/loss``."""
    out = {}
    for k, v in logs.items():
        for prefix in ("eval_", "test_"):
            if k.startswith(prefix):
                out[f"{prefix[:-1]}/{k[len(prefix):]}"] = v
                break
        else:
            out[f"train/{k}"] = v
    return out


class TidelogCallback(TrainerCallback):
    def __init__(self, project: str | None = None, name: str | None = None, dir: str | os.PathLike | None = None,
                 **init_kwargs: Any) -> None:
        self._init = {"project": project or settings.env_project()
                      or "huggingface", "name": name, "dir": dir, **init_kwargs}
        self._run: Any = None

    @property
    def run(self) -> Any:
        return self._run

    def setup(self, args: Any, state: Any, model: Any) -> None:
        if not state.is_world_process_zero:
            return
        init = dict(self._init)
        if init["name"] is None and args.run_name is not None:
            init["name"] = args.run_name
        self._run = ensure_run(init, STEP_KEY)
        config = dict(args.to_dict())
        if model is not None and getattr(model, "config", None) is not None:
            model_config = model.config if isinstance(model.config, dict) else model.config.to_dict()
            config = {**model_config, **config}
        self._run.config.update(config, allow_val_change=True)
        if model is not None and hasattr(model, "num_parameters"):
            self._run.config["model/num_parameters"] = model.num_parameters()
        self._run._label(code="transformers_trainer")

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if self._run is None:
            self.setup(args, state, model)

    def on_log(self, args: Any, state: Any, control: Any, model: Any = None, logs: dict | None = None,
               **kwargs: Any) -> None:
        if self._run is None:
            self.setup(args, state, model)
        if not state.is_world_process_zero or self._run is None:
            return
        logs = dict(logs or {})
        for k in SUMMARY_ONLY:
            if k in logs:
                self._run.summary[k] = logs.pop(k)
        self._run.log({**rewrite_logs(logs), STEP_KEY: state.global_step})

    def on_predict(self, args: Any, state: Any, control: Any, metrics: dict | None = None, **kwargs: Any) -> None:
        if self._run is None:
            self.setup(args, state, kwargs.get("model"))
        if state.is_world_process_zero and self._run is not None and metrics:
            self._run.log(rewrite_logs(metrics))
