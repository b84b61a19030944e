"""``wandb.sdk.lib.RunDisabled``: ``tidelog.RunDisabled``."""

from tidelog import RunDisabled

__all__ = ["RunDisabled"]
