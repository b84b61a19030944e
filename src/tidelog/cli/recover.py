"""``tidelog recover``: write what dead runs left in shared memory into their WAL.

When a training process and its sender are killed together, the records the
sender had not yet written stay in a ring file under /dev/shm until the
machine restarts. The same holds for a run whose sender kept failing
(tidelog stopped restarting it and finish() said to run this command). This
command finds such rings and drains each into its run's log, then reports
the state the run was left in: ``crashed`` when the training process died
without finish(), otherwise the state finish() recorded. ``tidelog.init()``
does the same in the background whenever it finds one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tidelog.errors import SenderError
from tidelog.read.run import RunState
from tidelog.rundir import RunDir
from tidelog.transport.recover import find_orphans, recover

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("recover", help="drain rings left by runs whose processes all died",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dirs", nargs="*", metavar="RUN_DIR",
                   help="only the rings of these run directories (default: every ring found)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be recovered")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    wanted = {Path(d).expanduser().resolve() for d in args.run_dirs}
    orphans = [o for o in find_orphans(extra=[RunDir(d).ring for d in wanted])
               if not wanted or (o.run_dir is not None and o.run_dir.resolve() in wanted)]
    if not orphans:
        print("nothing to recover")
        return 0
    failed = 0
    for o in orphans:
        where = o.run_dir or "(unknown run directory)"
        print(f"{o.ring}: {o.unwritten} unwritten bytes of {where} (trainer pid {o.pid})")
        if args.dry_run:
            continue
        if o.unwritten == 0:
            o.ring.unlink(missing_ok=True)
            print("  nothing unwritten: removed")
            continue
        try:
            proc = recover(o)
        except SenderError as e:
            print(f"  {e}\n  nothing was lost: the ring is kept; fix the cause and run this again")
            failed += 1
            continue
        if proc is None:
            print("  left alone: its run directory is not known or no longer exists")
            continue
        state = RunState.load(o.run_dir)  # type: ignore[arg-type]  # recover() returns None when run_dir is None (handled above)
        code = f", exit code {state.exit.exit_code}" if state.exit is not None else ""
        print(f"  written to the run's WAL ({o.run_dir}); the run is now {state.state}{code}")
    return 1 if failed else 0  # a ring with no known run is reported, not a failure
