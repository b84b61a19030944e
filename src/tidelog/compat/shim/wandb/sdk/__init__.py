"""``wandb.sdk``: the import paths third-party clients use, mapped to tidelog."""

from tidelog import Artifact, Settings, init  # noqa: F401 - wandb.sdk.* names, re-exported
