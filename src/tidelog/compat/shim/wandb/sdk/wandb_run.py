"""``wandb.sdk.wandb_run.Run``: ``tidelog.Run``."""

from tidelog import Run

__all__ = ["Run"]
