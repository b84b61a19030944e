"""Bringing runs from other loggers into tidelog.

``wandb``: W&B offline run directories (``tidelog import wandb PATH...``), read
without the ``wandb`` package:

* ``leveldb_log``    the ``.wandb`` file's framing: 32 KiB blocks of checksummed
                     record fragments (LevelDB's log format with a W&B file header)
* ``protowire``      a minimal protobuf wire-format reader
* ``wandb_records``  the few fields of W&B's ``Record`` messages the import needs
* ``wandb_values``   W&B key paths and values as tidelog keys and values
* ``wandb_run``      one W&B run directory -> one tidelog run directory
"""
