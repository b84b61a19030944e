"""``tidelog recover``: write what dead runs left in shared memory into their WAL.

When a training process and its sender are killed together, the records the
sender had not yet written stay in a ring file under /dev/shm until the
machine restarts. This command finds such rings and drains each into its
run's log, marking the run crashed. ``tidelog.init()`` does the same in the
background whenever it finds one.
"""

from __future__ import annotations

import argparse

from tidelog.transport.recover import find_orphans, recover

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("recover", help="drain rings left by runs whose processes all died",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dry-run", action="store_true", help="only list what would be recovered")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    orphans = find_orphans()
    if not orphans:
        print("nothing to recover")
        return 0
    failed = 0
    for o in orphans:
        where = o.run_dir or "(unknown run directory)"
        print(f"{o.ring}: {o.unwritten} unwritten bytes of {where} (trainer pid {o.pid}, dead)")
        if args.dry_run:
            continue
        if o.unwritten == 0:
            o.ring.unlink(missing_ok=True)
            print("  nothing unwritten: removed")
            continue
        proc = recover(o)
        if proc is None:
            print("  left alone: its run directory is not known or no longer exists")
        elif proc.returncode != 0:
            print(f"  the sender failed (status {proc.returncode}); see {o.run_dir}/logs/")
            failed += 1
        else:
            print("  written to the run's WAL; the run is marked crashed")
    return 1 if failed else 0  # a ring with no known run is reported, not a failure
