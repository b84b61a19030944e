"""tidelog verify RUN: the WAL integrity report.

RUN is what tidelog show takes: a run directory (the one holding wal/), a
WAL directory, or id, project/id or entity/project/id under --dir (default:
$TIDELOG_DIR, $WANDB_DIR or .).

--json prints the report as strict JSON (what JSON.parse and jq accept; no
value in it can be NaN or infinite, and the encoding is the one of every
--json output: such floats would be the strings "NaN", "Infinity",
"-Infinity").

Exit status: 0 when nothing is damaged (a torn tail alone is the normal
trace of a crash), 1 when damage was found, 2 when the WAL cannot be
checked at all (RUN names no run, no WAL, or a newer format version).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register", "run", "wal_dir_of", "add_run_arguments"]

EXIT_OK, EXIT_DAMAGED, EXIT_UNUSABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="check a run's WAL for damage",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--deep", action="store_true",
                   help="also decompress every chunk and parse every record")
    p.set_defaults(func=run)


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """RUN and --dir, as tidelog show takes them."""
    p.add_argument("run", metavar="RUN",
                   help="a run directory or its wal/, or id, project/id or entity/project/id under --dir")
    p.add_argument("--dir", default=None,
                   help="where runs were logged, as given to init(dir=...) (default: $TIDELOG_DIR or .)")


def wal_dir_of(run: str, base: str | None = None) -> Path:
    """The WAL directory RUN names (``cli.runref``); RunRefError if none."""
    from tidelog.cli.runref import resolve_wal_dir

    return resolve_wal_dir(run, base)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]  # an int of bytes becomes a float of KiB/MiB/GiB on purpose
    raise AssertionError("unreachable")


def _print_text(report) -> None:
    print(f"WAL      {report.wal_dir}")
    print(f"segments {len(report.segments)} ({_size(report.bytes)})")
    for s in report.segments:
        print(f"  {s.name}  {_size(s.bytes):>10}  {s.chunks:>7,} chunks  {s.records:>10,} records"
              f"  seq {s.first_seq}..{s.last_seq}")
    print(f"chunks   {report.chunks:,}  records {report.records:,}  seq {report.first_seq}..{report.last_seq}"
          + ("  (deep)" if report.deep else ""))
    if report.duplicate_chunks:
        print(f"duplicates {report.duplicate_chunks} chunk(s) re-written by a restarted sender (ignored by readers)")
    for lo, hi in report.seq_gaps:
        print(f"seq gap  {lo}..{hi} not in the log")
    t = report.torn_tail
    print("torn tail none" if t is None else
          f"torn tail {t.segment} at offset {t.offset}: {t.length} bytes, ignored (writer stopped mid-write)")
    if not report.damage:
        print("damage   none")
    else:
        print(f"damage   {len(report.damage)} region(s), {report.damaged_bytes:,} bytes dropped")
        for d in report.damage:
            print(f"  {d.segment}  offset {d.offset}  {d.length:,} bytes  {d.reason}")
    print("result   OK" if report.ok else "result   DAMAGED")


def run(args: argparse.Namespace) -> int:
    from tidelog.errors import RunNotFoundError, WalError
    from tidelog.strict_json import dumps
    from tidelog.wal.verify import verify_wal

    try:
        report = verify_wal(wal_dir_of(args.run, args.dir), deep=args.deep)
    except (WalError, RunNotFoundError) as err:
        if args.json:
            print(dumps({"ok": False, "error": str(err)}))
        print(f"tidelog verify: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.json:
        print(dumps(report.to_dict()))
    else:
        _print_text(report)
    return EXIT_OK if report.ok else EXIT_DAMAGED
