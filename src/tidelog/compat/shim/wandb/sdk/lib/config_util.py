"""``wandb.sdk.lib.config_util.ConfigError``: ``tidelog.ConfigError``."""

from tidelog import ConfigError

__all__ = ["ConfigError"]
