"""What a RUN argument names, for every subcommand that takes one (show, verify, dump).

RUN is, in this order:

1. a run directory (the one holding ``wal/``; ``DIR/tidelog/latest-run`` is one);
2. a WAL directory (``RUN_DIR/wal``, or any directory of ``*.wal`` segments);
3. ``id``, ``project/id`` or ``entity/project/id``, looked up under ``--dir``
   (default: ``$TIDELOG_DIR``, ``$WANDB_DIR`` or ``.``) as ``tidelog.Api`` does.

Anything else is a ``RunRefError`` whose message says what the path is instead
(a directory of runs, a directory without a WAL, a file, nothing at all) and
what to type.
"""

from __future__ import annotations

from pathlib import Path

from tidelog.errors import RunNotFoundError
from tidelog.rundir import LATEST, RunDir, is_run_dir, root_for, run_dirs

__all__ = ["RunRefError", "base_dir", "resolve_run_dir", "resolve_wal_dir", "describe_runs_root"]


class RunRefError(RunNotFoundError):
    """RUN names no run; the message says why and what would."""


def base_dir(given: str | None) -> str:
    """``--dir``, else ``$TIDELOG_DIR``, else ``$WANDB_DIR``, else ``.``."""
    from tidelog import settings

    return settings.read_dir(given)


def _is_wal_dir(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.wal"))


def describe_runs_root(path: Path) -> str | None:
    """If ``path`` is where runs were logged (it holds ``tidelog/run-*``, or is
    that ``tidelog`` folder), a phrase saying so; else None."""
    root = root_for(path)
    if not root.is_dir():
        return None
    runs = run_dirs(root)
    if not runs and not (root / LATEST).exists():
        return None
    return f"a directory of runs ({len(runs)} under {root})"


def _explain_path(spec: str, path: Path) -> str:
    """Why an existing path is not a run."""
    runs = describe_runs_root(path)
    if runs is not None:
        return (f"{spec} is {runs}, not one run: list them with `tidelog ls {spec}`, "
                f"or name one as ID with --dir {spec} (its newest: {root_for(Path(spec)) / LATEST})")
    if path.is_dir():
        return f"{spec} is not a run directory: it holds no wal/ folder and no *.wal segments"
    return f"{spec} is a file, not a run directory"


def _looks_like_a_path(spec: str) -> bool:
    """A spec that can only be meant as a path (never as project/id)."""
    return (spec.startswith(("/", "./", "../", "~")) or spec in (".", "..")
            or len([p for p in spec.split("/") if p]) > 3)


def resolve_run_dir(spec: str, base: str | None = None) -> Path:
    """The run directory RUN names (rules 1-3 above; a WAL directory gives its run)."""
    path = Path(spec).expanduser()
    if is_run_dir(path):
        return path
    if path.is_dir() and path.name == RunDir(path.parent).wal.name:
        return path.parent
    not_found = None
    if not _looks_like_a_path(spec):
        try:
            return _lookup(spec, base)
        except RunRefError as err:
            not_found = err
    if path.exists():
        raise RunRefError(_explain_path(spec, path))
    if not_found is None:
        raise RunRefError(f"{spec}: no such run directory")
    raise not_found


def resolve_wal_dir(spec: str, base: str | None = None) -> Path:
    """The WAL directory RUN names: a directory of segments itself, else ``RUN_DIR/wal``."""
    path = Path(spec).expanduser()
    if _is_wal_dir(path):
        return path
    return RunDir(resolve_run_dir(spec, base)).wal


def _lookup(spec: str, base: str | None) -> Path:
    from tidelog.api.stored import Api

    where = base_dir(base)
    api = Api(dir=where)
    parts = [p for p in spec.split("/") if p]
    if not parts or len(parts) > 3:
        raise RunRefError(f"{spec!r} is neither a run directory nor a run id (id, project/id or entity/project/id)")
    try:
        return Path(api.run(spec).dir)
    except RunNotFoundError:
        pass
    root = api.root.resolve()
    if not root.is_dir():
        raise RunRefError(f"no run {spec!r}: {Path(where).resolve()} holds no runs (no {root.name}/ folder); "
                          "give the directory runs were logged to with --dir, or a run directory") from None
    raise RunRefError(f"no run {spec!r} under {root} (`tidelog ls {where}` lists them); "
                      "give another directory with --dir, or a run directory") from None
