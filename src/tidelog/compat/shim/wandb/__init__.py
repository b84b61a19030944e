"""``wandb``, as tidelog: what ``import wandb`` finds inside ``tidelog run``.

Every attribute is looked up on ``tidelog`` when asked, so ``wandb.run``,
``wandb.config`` and ``wandb.summary`` follow ``init()`` and ``finish()``
exactly as ``tidelog.run`` does. The submodules hold the import paths
third-party clients use: ``wandb.sdk.lib.config_util.ConfigError``,
``wandb.sdk.lib.RunDisabled``, ``wandb.wandb_run.Run``.
"""

import tidelog as _tidelog
from tidelog.compat import WANDB_VERSION as __version__  # noqa: F401


def __getattr__(name):
    return getattr(_tidelog, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_tidelog)))
