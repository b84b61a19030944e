"""tidelog dump RUN: the WAL's records as text, one per line.

For debugging: SEQ KIND FIELDS. History values are shown by key name (once
its KeyDef has been seen); a HistoryBlock is one summary line, or one line
per row with --rows. Damage found while reading goes to stderr.

RUN is what tidelog show takes: a run directory (the one holding wal/), a
WAL directory, or id, project/id or entity/project/id under --dir (default:
$TIDELOG_DIR, $WANDB_DIR or .).

Exit status: 0, or 2 when RUN names no run or its WAL cannot be read.
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["register", "run", "format_event"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("dump", help="print a run's WAL records as text",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from tidelog.cli.verify import add_run_arguments

    add_run_arguments(p)
    p.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N lines")
    p.add_argument("--rows", action="store_true", help="one line per row of each HistoryBlock")
    p.set_defaults(func=run)


def _values(names, keys, values) -> list[str]:
    return [f"{names.label(k)}={v!r}" for k, v in zip(keys, values)]


def _block_lines(ev, names, expand: bool) -> list[str]:
    cols = ev.cols
    fkeys, ikeys = cols.float_keys.tolist(), cols.int_keys.tolist()
    if not expand:
        keys = " ".join(names.label(k) for k in fkeys + ikeys)
        span = f"{cols.steps[0]}..{cols.steps[-1]}" if cols.count else "-"
        return [f"{ev.seq} history_block count={cols.count} steps={span} keys=[{keys}]"]
    lines = []
    for i in range(cols.count):
        parts = [f"step={cols.steps[i]}", f"ts={cols.timestamps[i]:.6f}"]
        parts += _values(names, fkeys, cols.float_cols[:, i].tolist())
        parts += _values(names, ikeys, cols.int_cols[:, i].tolist())
        lines.append(f"{ev.seq + i} history_block[{i}] " + " ".join(parts))
    return lines


def format_event(ev, names, *, expand: bool = False) -> list[str]:
    """Text lines for one event of ``read.events.events(records, names)``."""
    from google.protobuf import text_format

    from tidelog.read.events import Damage, HistoryColumns, HistoryFragment

    if isinstance(ev, HistoryFragment):
        parts = [f"step={ev.step}", f"ts={ev.timestamp:.6f}"]
        parts += _values(names, ev.float_keys, ev.float_values)
        parts += _values(names, ev.int_keys, ev.int_values)
        parts += _values(names, [k for k, _ in ev.items], [v for _, v in ev.items])
        return [f"{ev.seq} history " + " ".join(parts)]
    if isinstance(ev, HistoryColumns):
        return _block_lines(ev, names, expand)
    if isinstance(ev, Damage):
        return [f"{ev.seq} history_block unreadable: {ev.reason}"]
    kind = ev.record.WhichOneof("kind")  # the name to print, not a dispatch
    body = "" if kind is None else text_format.MessageToString(getattr(ev.record, kind), as_one_line=True)
    return [f"{ev.seq} {kind} {body}".rstrip()]


def _print_lines(reader, limit: int | None, expand: bool) -> None:
    from tidelog.read.events import KeyNames, events

    names = KeyNames()
    printed = 0
    for ev in events(reader, names):
        for line in format_event(ev, names, expand=expand):
            if limit is not None and printed >= limit:
                return
            print(line)
            printed += 1


def run(args: argparse.Namespace) -> int:
    from tidelog.cli.verify import wal_dir_of
    from tidelog.errors import RunNotFoundError, WalError
    from tidelog.wal.reader import WalReader

    try:
        reader = WalReader(wal_dir_of(args.run, args.dir))
        _print_lines(reader, args.limit, args.rows)
        sys.stdout.flush()
    except (WalError, RunNotFoundError) as err:
        print(f"tidelog dump: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (dump | head): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    for d in reader.damage:
        print(f"damage: {d.segment} offset {d.offset}: {d.length} bytes dropped ({d.reason})", file=sys.stderr)
    return 0
