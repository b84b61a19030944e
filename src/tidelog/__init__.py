"""tidelog: W&B's ``wandb.log()`` API, offline-first, and nothing lost.

``import tidelog as wandb`` runs a W&B training script unchanged. ``log()``
hands records to a spawned sender process that writes a zstd-compressed
write-ahead log in the run directory; ``tidelog.Api(dir=...)`` reads runs back.

The public surface is ``__all__`` (pinned by ``tests/test_public_api.py``).
Data types are imported on first use, so ``import tidelog`` stays light.
W&B names that third-party clients call (``termwarn``, ``Artifact``,
``log_artifact``, ``require``, ...) resolve too, from ``tidelog.compat.names``,
without being part of ``__all__``.
"""

from __future__ import annotations

from typing import Any

from tidelog._version import __version__
from tidelog.api import lifecycle as _lifecycle
from tidelog.api.disabled import DisabledRun as RunDisabled
from tidelog.api.init import init
from tidelog.api.run import Run
from tidelog.errors import ConfigError, TidelogError, TidelogWarning, UsageError

__all__ = [
    "__version__",
    "init",
    "log",
    "finish",
    "define_metric",
    "save",
    "watch",
    "unwatch",
    "alert",
    "run",
    "config",
    "summary",
    "Api",
    "Histogram",
    "Image",
    "Audio",
    "Video",
    "Table",
    "Html",
    "Molecule",
    "Object3D",
    "plot",
    "plot_table",
    "TidelogError",
    "TidelogWarning",
    "UsageError",
    "ConfigError",
    "Run",
    "RunDisabled",
]

# ``tidelog.run``, ``tidelog.config`` and ``tidelog.summary`` are looked up in ``api.lifecycle``
# when asked (``__getattr__``): the current run's, or stand-ins that say to call init() first.


def _active(what: str) -> Any:
    current = _lifecycle.current()
    if current is None:
        raise UsageError(f"tidelog.{what}: call tidelog.init() first")
    return current


def log(data: dict, step: int | None = None, commit: bool | None = None, sync: bool | None = None) -> None:
    """Log to the current run (see ``Run.log``)."""
    _active("log").log(data, step=step, commit=commit)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run, if any."""
    current = _lifecycle.current()
    if current is not None:
        current.finish(exit_code=exit_code)


def define_metric(name: str, *args: Any, **kwargs: Any) -> Any:
    return _active("define_metric").define_metric(name, *args, **kwargs)


def save(path: str, base_path: str | None = None, policy: str = "live") -> Any:
    return _active("save").save(path, base_path=base_path, policy=policy)


def watch(models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
          idx: int | None = None, log_graph: bool = False) -> None:
    """W&B's ``wandb.watch``: gradient and/or parameter histograms of PyTorch models, on the current run."""
    _active("watch").watch(models, criterion=criterion, log=log, log_freq=log_freq, idx=idx, log_graph=log_graph)


def unwatch(models: Any = None) -> None:
    """Remove ``watch``'s hooks (all watched models when None)."""
    _active("unwatch").unwatch(models)


def alert(title: str, text: str, level: str = "INFO", **kwargs: Any) -> None:
    _active("alert").alert(title, text, level=level)


_LAZY = {
    "Histogram": ("tidelog.media.histogram", "Histogram"),
    "Image": ("tidelog.media.image", "Image"),
    "Audio": ("tidelog.media.audio", "Audio"),
    "Video": ("tidelog.media.video", "Video"),
    "Table": ("tidelog.media.table", "Table"),
    "Html": ("tidelog.media.html", "Html"),
    "Molecule": ("tidelog.media.molecule", "Molecule"),
    "Object3D": ("tidelog.media.object3d", "Object3D"),
    "plot_table": ("tidelog.media.charts", "plot_table"),
    "plot": ("tidelog.plot", None),
    "Api": ("tidelog.api.stored", "Api"),
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _lifecycle.CURRENT:
        return _lifecycle.current_part(name)

    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        compat = importlib.import_module("tidelog.compat.names")
        if name in compat.__all__:
            return getattr(compat, name)
        raise AttributeError(f"module 'tidelog' has no attribute {name!r}") from None

    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
