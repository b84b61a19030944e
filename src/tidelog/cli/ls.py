"""tidelog ls [DIR]: the local runs under DIR/tidelog, oldest first.

One line per run: id, project, name, state, steps (history rows), size on
disk, created time (local), and the servers it has been synced to. DIR is
the directory given to tidelog.init(dir=...) (default: $TIDELOG_DIR,
$WANDB_DIR or .); its tidelog/ folder is accepted too. A run directory is
not a DIR: tidelog show RUN_DIR shows that run.

--json prints a list of objects with the same fields (times as ISO 8601 and
unix seconds, size in bytes), as strict JSON (what JSON.parse and jq accept;
non-finite floats would be the strings "NaN", "Infinity", "-Infinity").

Exit status: 0 (also when there are no runs), 2 when DIR does not exist, is
not a directory, or is a run directory or a WAL directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from tidelog.rundir import RunDir, is_run_dir

__all__ = ["register", "run", "run_info", "disk_usage", "format_size"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ls", help="list the local runs under a directory",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", metavar="DIR", nargs="?", default=None,
                   help="the directory runs were logged to (default: $TIDELOG_DIR or .)")
    p.add_argument("--project", default=None, help="only runs of this project")
    p.add_argument("--json", action="store_true", help="print the runs as a JSON list")
    p.set_defaults(func=run)


def disk_usage(path: Path) -> int:
    """Bytes of the regular files under ``path`` (links are not followed)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue  # removed meanwhile (a live run's transport files)
            if not os.path.islink(os.path.join(root, name)):
                total += st.st_size
    return total


def format_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _created(run_dir: Path, start_time: float) -> float:
    """RunStart's time; else the stamp in the directory name (UTC); else the directory's mtime."""
    if start_time:
        return start_time
    parts = run_dir.name.split("-")
    if len(parts) >= 3:
        try:
            import calendar

            return float(calendar.timegm(time.strptime(parts[1], "%Y%m%d_%H%M%S")))
        except ValueError:
            pass
    try:
        return run_dir.stat().st_mtime
    except OSError:
        return 0.0


def run_info(run_dir: Path) -> dict[str, Any]:
    """What ``ls`` shows of one run directory."""
    from tidelog.errors import WalError
    from tidelog.read.run import RunState

    info: dict[str, Any] = {"id": run_dir.name.rsplit("-", 1)[-1], "project": "", "name": "",
                            "state": "unreadable", "steps": 0, "last_step": None, "damage": 0}
    start_time = 0.0
    try:
        s = RunState.load(run_dir)
    except WalError as err:
        info["error"] = str(err)
    else:
        info.update(id=s.run_id or info["id"], project=s.project, name=s.name or s.run_id or info["id"],
                    state=s.state, steps=s.rows, last_step=s.last_step, damage=len(s.damage))
        start_time = s.start_time
    created = _created(run_dir, start_time)
    sync_dir = RunDir(run_dir).sync
    info.update(
        size=disk_usage(run_dir),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(created)) if created else "",
        created_unix=created,
        synced=sorted(p.stem for p in sync_dir.glob("*.json")) if sync_dir.is_dir() else [],
        dir=str(run_dir),
    )
    return info


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _wrong_dir(base: str) -> str | None:
    """What is wrong with DIR, or None when runs can be listed under it."""
    path = Path(base)
    if not path.exists():
        return f"{base}: no such directory"
    if not path.is_dir():
        return f"{base}: not a directory"
    wal_dir = path.name == RunDir(path.parent).wal.name and any(path.glob("*.wal"))
    if is_run_dir(path) or wal_dir:
        run_dir = path if is_run_dir(path) else path.parent
        return (f"{base} is a run directory{'' if run_dir == path else ' (its wal/)'}, not the directory runs "
                f"were logged to: `tidelog show {run_dir}` shows the run, `tidelog ls {run_dir.parent.parent}` "
                "lists its siblings")
    return None


def run(args: argparse.Namespace) -> int:
    from tidelog.api.stored import Api
    from tidelog.cli.jsonout import dumps
    from tidelog.cli.runref import base_dir

    base = base_dir(args.dir)
    wrong = _wrong_dir(base)
    if wrong is not None:
        print(f"tidelog ls: {wrong}", file=sys.stderr)
        return 2
    api = Api(dir=base)
    infos = sorted((run_info(d) for d in api._run_dirs()), key=lambda i: (i["created_unix"], i["dir"]))
    if args.project is not None:
        infos = [i for i in infos if i["project"] == args.project]
    if args.json:
        print(dumps(infos))
        return 0
    if not infos:
        print(f"no runs under {api.root}", file=sys.stderr)
        return 0
    rows = [["ID", "PROJECT", "NAME", "STATE", "STEPS", "SIZE", "CREATED", "SYNCED"]]
    for i in infos:
        state = i["state"] + (f" ({i['damage']} damaged)" if i["damage"] else "")
        created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(i["created_unix"])) if i["created_unix"] else "-"
        rows.append([i["id"], i["project"] or "-", i["name"] or "-", state, str(i["steps"]),
                     format_size(i["size"]), created, ",".join(i["synced"]) or "-"])
    print(_table(rows))
    return 0
