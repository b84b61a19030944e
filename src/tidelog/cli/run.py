"""``tidelog run -- COMMAND ...``: run a W&B script unchanged, with tidelog as ``wandb``.

The command runs (``exec``, so signals and the exit status are its own) with
``tidelog.compat.SHIM_DIR`` first on ``PYTHONPATH``. In it, and in every
Python process it starts (DataLoader workers, DDP ranks, ``multiprocessing``
spawns: they inherit the environment), ``import wandb`` finds tidelog, and
``importlib.metadata.version("wandb")`` finds the shim's ``.dist-info``
(Lightning checks it). No real ``wandb`` needs to be installed; if one is, the
shim comes first. The command's Python must have tidelog installed.

``--dir`` and ``--project`` set ``TIDELOG_DIR`` / ``TIDELOG_PROJECT`` for the
command (``init()`` arguments still win, as always).
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["register", "run", "shim_environ"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("run", help="run a command in which `import wandb` is tidelog",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                              usage="tidelog run [--dir DIR] [--project NAME] -- COMMAND [ARG ...]")
    p.add_argument("--dir", help="where runs are written (TIDELOG_DIR)")
    p.add_argument("--project", help="default project (TIDELOG_PROJECT)")
    p.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    p.set_defaults(func=run)


def shim_environ(environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default ``os.environ``) with the shim directory first on ``PYTHONPATH``."""
    from tidelog.compat import SHIM_DIR

    env = dict(os.environ if environ is None else environ)
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(SHIM_DIR)]
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM_DIR), *parts])
    return env


def run(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("tidelog run: no command given (usage: tidelog run -- python train.py ...)", file=sys.stderr)
        return 2
    env = shim_environ()
    if args.dir:
        env["TIDELOG_DIR"] = os.path.abspath(args.dir)
    if args.project:
        env["TIDELOG_PROJECT"] = args.project
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)
    except OSError as e:
        print(f"tidelog run: cannot run {command[0]!r}: {e.strerror or e}", file=sys.stderr)
        return 127 if isinstance(e, FileNotFoundError) else 126
    return 0  # not reached: exec replaced this process
