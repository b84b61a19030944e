"""``tidelog import wandb PATH... [--dir DIR]``: W&B offline runs into tidelog runs.

PATH is a W&B run directory (``wandb/offline-run-<time>-<id>``), its
``run-<id>.wandb`` file, or a ``wandb/`` folder (every run in it). Each run
becomes a tidelog run under DIR (as ``init(dir=DIR)`` would place it, default
``$TIDELOG_DIR`` or ``.``) with the W&B run id kept: history, summary,
config, media and other files, system metrics, console output and state. No
``wandb`` package is needed. A run that was killed (its log has a torn tail)
imports what its log holds and reads as crashed. What ``tidelog.importers
.wandb_run`` carries over, field by field, is in its docstring.

Exit status: 0 when every run was imported; 1 when any could not be (not a
W&B log, a run id already under DIR), each named on standard error.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("import", help="import runs from another logger (W&B offline runs)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", choices=["wandb"], help="the logger the runs come from")
    p.add_argument("paths", nargs="+", metavar="PATH", help="W&B run directories, .wandb files or wandb/ folders")
    p.add_argument("--dir", default=None, help="where to put the runs (default: $TIDELOG_DIR or .)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tidelog import settings
    from tidelog.errors import UsageError
    from tidelog.importers.leveldb_log import NotAWandbLog
    from tidelog.importers.wandb_run import find_wandb_logs, import_run

    dest = settings.read_dir(args.dir)
    failed = 0
    for path in args.paths:
        try:
            logs = find_wandb_logs(path)
        except FileNotFoundError as e:
            print(f"tidelog import: {e}", file=sys.stderr)
            failed += 1
            continue
        for log in logs:
            try:
                r = import_run(log, dest)
            except (NotAWandbLog, UsageError, ValueError, OSError) as e:
                print(f"tidelog import: {log}: {e}", file=sys.stderr)
                failed += 1
                continue
            extra = ""
            if r.log.tail_bytes:
                extra += f", torn tail: {r.log.tail_bytes} bytes dropped"
            if r.log.dropped_bytes:
                extra += f", damage: {r.log.dropped_bytes} bytes dropped at {[d[0] for d in r.log.damage]}"
            print(f"{log} -> {r.run_dir}: {r.rows} rows, {r.stats} system samples, {r.console_lines} console "
                  f"lines, {r.files} files, {r.state}{extra}")
    return 1 if failed else 0
