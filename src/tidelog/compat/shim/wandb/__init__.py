"""``wandb``, as tidelog: what ``import wandb`` finds inside ``tidelog run``.

Every attribute is looked up on ``tidelog`` when asked, so ``wandb.run``,
``wandb.config`` and ``wandb.summary`` follow ``init()`` and ``finish()``
exactly as ``tidelog.run`` does. The submodules hold the import paths
third-party clients use: ``wandb.sdk.lib.config_util.ConfigError``,
``wandb.sdk.lib.RunDisabled``, ``wandb.wandb_run.Run``.
"""

try:
    import tidelog as _tidelog
except ImportError as _e:  # the command runs a Python that tidelog is not installed in
    import sys as _sys

    raise ImportError(f"`import wandb` inside `tidelog run` is tidelog, but this Python ({_sys.executable}) "
                      f"cannot import tidelog ({_e}); run the command with the Python tidelog is installed "
                      "in") from _e
from tidelog.compat import WANDB_VERSION as __version__  # noqa: F401 - wandb.__version__, re-exported


def __getattr__(name):
    return getattr(_tidelog, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_tidelog)))
