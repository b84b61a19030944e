"""tidelog show RUN: a run's identity, config, summary and last history rows.

RUN is a run directory (the one holding wal/; DIR/tidelog/latest-run is
one), its wal/ directory, or id, project/id or entity/project/id looked up
under --dir (default: $TIDELOG_DIR, $WANDB_DIR or .), as tidelog.Api does.
--rows N sets how many of the last history rows to print (default 10; 0 for
none).

--json prints one object: id, project, name, entity, state, dir, tags,
created_unix, exit, config, summary, rows (the total), last_step and history
(the last N rows, with _timestamp and _runtime). It is strict JSON (what
JSON.parse and jq accept): NaN, Infinity and -Infinity are the strings
"NaN", "Infinity" and "-Infinity"; a missing value is null or an absent key.

Exit status: 0, or 1 when RUN names no run (the message says what it is).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import deque
from typing import Any

__all__ = ["register", "run", "resolve_run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("show", help="print a run's config, summary and last history rows",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", metavar="RUN", help="a run directory, or id, project/id or entity/project/id under --dir")
    p.add_argument("--dir", default=None,
                   help="where runs were logged, as given to init(dir=...) (default: $TIDELOG_DIR or .)")
    p.add_argument("--rows", type=_count, default=10, metavar="N", help="last N history rows (default 10)")
    p.add_argument("--json", action="store_true", help="print the run as one JSON object")
    p.set_defaults(func=run)


def _count(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def resolve_run(spec: str, base: str | None):
    """The ``tidelog.api.stored.StoredRun`` that ``spec`` names (``cli.runref`` rules); RunRefError if none."""
    from tidelog.api.stored import StoredRun
    from tidelog.cli.runref import resolve_run_dir

    return StoredRun(resolve_run_dir(spec, base))


# -- text ------------------------------------------------------------------------


def _short(value: Any, width: int = 60) -> str:
    if isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, dict) and "_type" in value:
        text = f"<{value['_type']}" + (f" {value['path']}" if "path" in value else "") + ">"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"), default=str)
    elif value is None:
        text = "None"
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


def _mapping(title: str, values: dict) -> list[str]:
    if not values:
        return [f"{title}  (empty)"]
    width = max(len(k) for k in values)
    return [title] + [f"  {k.ljust(width)}  {_short(v)}" for k, v in sorted(values.items())]


def _history_table(rows: list[dict], width: int = 16) -> list[str]:
    keys: list[str] = ["_step"]
    for row in rows:
        keys += [k for k in row if k not in keys and k not in ("_timestamp", "_runtime")]
    cells = [keys] + [["" if k not in row else _short(row[k], width) for k in keys] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(keys))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]


def _print_text(r, exit_info: dict, total: int, last: list[dict]) -> None:
    print(f"run       {'/'.join(r.path)}" + (f" ({r.name})" if r.name and r.name != r.id else ""))
    state = r.state
    if exit_info.get("exit_code"):
        state += f" (exit code {exit_info['exit_code']})"
    print(f"state     {state}")
    if exit_info.get("traceback"):
        lines = [ln for ln in exit_info["traceback"].strip().splitlines() if ln.strip()]
        print(f"error     {lines[-1].strip() if lines else ''}")
    start = exit_info.get("start_time")
    if start:
        print(f"created   {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(start))}")
    print(f"dir       {r.dir}")
    print(f"steps     {total} rows" + (f", last step {r.lastHistoryStep}" if total else ""))
    for line in _mapping("config", r.config) + _mapping("summary", dict(r.summary)):
        print(line)
    if last:
        print(f"history   last {len(last)} of {total} rows")
        for line in _history_table(last):
            print(line)


# -- json ------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from tidelog.cli.jsonout import dumps
    from tidelog.cli.runref import RunRefError
    from tidelog.errors import WalError

    try:
        r = resolve_run(args.run, args.dir)
    except (RunRefError, WalError) as err:
        print(f"tidelog show: {err}", file=sys.stderr)
        return 1
    state = r._state  # the RunState the reader folded from the WAL
    exit_info: dict[str, Any] = {"start_time": state.start_time}
    if state.exit is not None:
        exit_info.update(exit_code=state.exit.exit_code, traceback=state.exit.traceback)
    total = 0
    last: deque = deque(maxlen=args.rows)
    for row in r.scan_history():
        total += 1
        if args.rows:
            last.append(row)
    if args.json:
        out = {
            "id": r.id, "project": r.project, "name": r.name, "entity": r.entity, "state": r.state,
            "dir": r.dir, "tags": r.tags, "created_unix": state.start_time or None,
            "exit": ({"exit_code": state.exit.exit_code, "traceback": state.exit.traceback}
                     if state.exit is not None else None),
            "config": r.config, "summary": dict(r.summary),
            "rows": total, "last_step": None if state.last_step is None else state.last_step,
            "history": list(last),
        }
        print(dumps(out))
        return 0
    _print_text(r, exit_info, total, list(last))
    return 0

