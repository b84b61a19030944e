"""W&B compatibility beyond ``wandb.log()``: what third-party W&B clients reach for.

The Hugging Face ``Trainer`` (``report_to="wandb"``) and Lightning's
``WandbLogger`` touch more of ``wandb`` than a training script does:
``termwarn``, ``require``, ``Artifact`` and ``log_artifact``, ``_attach``,
``run._label``, and the import paths ``wandb.sdk.lib.config_util.ConfigError``,
``wandb.sdk.lib.RunDisabled`` and ``wandb.wandb_run.Run``. This package holds
them, above ``api`` (see the layer order in ``docs/architecture.md``):

* ``names``    module-level W&B names tidelog accepts (reachable as ``tidelog.<name>``,
               outside ``__all__``: they are W&B's, not tidelog's own API)
* ``terminal`` ``termlog``/``termwarn``/``termerror``
* ``shim/``    a directory, not a package: ``tidelog run`` puts it first on
               ``PYTHONPATH`` so that ``import wandb`` (and ``importlib.metadata
               .version("wandb")``) resolve to tidelog in the command and its children.

The ``Run`` methods those clients call (``_label``, ``log_artifact``, ...) and
``Artifact`` are part of the run itself: ``api/run_methods.py``, ``api/artifact.py``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SHIM_DIR", "WANDB_VERSION"]

#: The directory ``tidelog run`` prepends to ``PYTHONPATH``.
SHIM_DIR = Path(__file__).resolve().parent / "shim"

#: The W&B version the shim reports (``wandb.__version__``, its ``.dist-info``): the
#: W&B release whose surface tidelog follows, with a local label saying what it is.
WANDB_VERSION = "0.31.0+tidelog"
