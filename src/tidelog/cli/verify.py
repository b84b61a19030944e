"""``tidelog verify RUN_DIR``: the WAL integrity report.

Exit status: 0 when nothing is damaged (a torn tail alone is the normal
trace of a crash), 1 when damage was found, 2 when the WAL cannot be
checked at all (no WAL, or a newer format version).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register", "run", "wal_dir_of"]

EXIT_OK, EXIT_DAMAGED, EXIT_UNUSABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="check a run's WAL for damage",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", metavar="RUN_DIR", help="run directory (the one holding wal/)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--deep", action="store_true",
                   help="also decompress every chunk and parse every record")
    p.set_defaults(func=run)


def wal_dir_of(run_dir: str) -> Path:
    """``RUN_DIR/wal``; a WAL directory itself is accepted too."""
    path = Path(run_dir)
    return path / "wal" if (path / "wal").is_dir() or not any(path.glob("*.wal")) else path


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
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
    from tidelog.errors import WalError
    from tidelog.wal.verify import verify_wal

    try:
        report = verify_wal(wal_dir_of(args.run_dir), deep=args.deep)
    except WalError as err:
        if args.json:
            print(json.dumps({"ok": False, "error": str(err)}))
        print(f"tidelog verify: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_text(report)
    return EXIT_OK if report.ok else EXIT_DAMAGED
