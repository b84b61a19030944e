"""``tidelog sync [RUN_DIR|RUN_ID ...] [--all [DIR]] [--server URL] [--api-key KEY] [--follow] [--no-progress]``.

Uploads runs to a tidelog server (docs/sync.md): each run's WAL from where
the server's acknowledgement says it stands, its media by hash, exactly
once. Crashed and still-running runs sync like finished ones; ``--follow``
keeps tailing each run until it finishes or crashes. Transient failures
(no answer, timeouts, 5xx) are retried with backoff for ``--retry-for``
seconds; a refusal (4xx) stops that run with the server's message. One line
per run says what happened.

Exit status: 0 when every run synced, 1 when any failed, 2 on bad arguments.
``--server`` defaults to $TIDELOG_SERVER, ``--api-key`` to $TIDELOG_API_KEY.
"""

from __future__ import annotations

import argparse
import sys

from tidelog import settings

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sync", help="upload runs to a tidelog server",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("targets", metavar="RUN_DIR|RUN_ID", nargs="*",
                   help="run directories, or run ids looked up under $TIDELOG_DIR or .")
    p.add_argument("--all", metavar="DIR", nargs="?", const=".", action="append", dest="all_dirs", default=[],
                   help="every run under DIR (default .); repeatable")
    p.add_argument("--server", default=None, help="server URL (default: $TIDELOG_SERVER)")
    p.add_argument("--api-key", default=None, help="API key (default: $TIDELOG_API_KEY)")
    p.add_argument("--follow", action="store_true", help="keep tailing each run until it finishes or crashes")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--retry-for", type=float, default=300.0, metavar="SECONDS",
                   help="keep retrying transient failures of one request this long (default 300)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from tidelog.remote.http import ServerClient
        from tidelog.sync.batch import describe, find_runs, sync_runs
        from tidelog.sync.replica import HttpReplica
        from tidelog.sync.retry import Retrying
    except ImportError as err:
        print(f"tidelog sync needs the sync extra: pip install 'tidelog[sync]' ({err})", file=sys.stderr)
        return 2
    server = settings.server_url(args.server)
    if not server:
        print("tidelog sync: no server: pass --server URL or set TIDELOG_SERVER", file=sys.stderr)
        return 2
    if not args.targets and not args.all_dirs:
        print("tidelog sync: name runs (RUN_DIR or RUN_ID) or pass --all [DIR]", file=sys.stderr)
        return 2
    if args.retry_for < 0:
        print(f"tidelog sync: --retry-for {args.retry_for}: must be 0 or more seconds", file=sys.stderr)
        return 2
    run_dirs, missing = find_runs(args.targets, args.all_dirs)
    for o in missing:
        print(describe(o), flush=True)

    def warn_retry(err, delay: float) -> None:
        print(f"tidelog sync: {err}; retrying in {delay:.1f} s", file=sys.stderr, flush=True)

    def make_replica():
        return Retrying(HttpReplica(ServerClient(server, args.api_key)), give_up_after=args.retry_for,
                        on_retry=warn_retry)

    outcomes = sync_runs(run_dirs, make_replica, follow=args.follow, progress=not args.no_progress,
                         report=lambda o: print(describe(o), flush=True))
    failed = len(missing) + sum(not o.ok for o in outcomes)
    if len(outcomes) + len(missing) > 1:
        print(f"{len(outcomes) - failed + len(missing)} run(s) synced, {failed} failed", flush=True)
    return 1 if failed else 0
