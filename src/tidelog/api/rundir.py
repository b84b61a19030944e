"""Where a run lives on disk (design.md section 4).

    <dir>/tidelog/
      latest-run -> run-20261125_060102-<id>
      run-20261125_060102-<id>/   wal/  media/  files/  logs/  transport/

Run ids are checked before they get here (``settings.check_name``: nothing
that could leave the directory or is no portable file name). One id has one
directory: ``init()`` refuses to reuse an id unless asked to resume it.
"""

from __future__ import annotations

import os
import re
import secrets
import string
import time
from pathlib import Path

__all__ = ["new_run_id", "root_for", "create_run_dir", "find_run_dir", "run_id_of"]

_ALPHABET = string.ascii_lowercase + string.digits
_RUN_DIR = re.compile(r"run-[0-9]{8}_[0-9]{6}-(.+)")


def new_run_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def root_for(base: Path) -> Path:
    """``<dir>/tidelog``; a path that already ends in ``tidelog`` is taken as the root."""
    base = Path(base)
    return base if base.name == "tidelog" else base / "tidelog"


def create_run_dir(base: Path, run_id: str) -> Path:
    root = root_for(base)
    stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime())
    run_dir = root / f"run-{stamp}-{run_id}"
    (run_dir / "wal").mkdir(parents=True, exist_ok=False)
    _point_latest(root, run_dir.name)
    return run_dir


def _point_latest(root: Path, name: str) -> None:
    link = root / "latest-run"
    tmp = root / f".latest-run-{os.getpid()}"
    try:
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(name)
        os.replace(tmp, link)
    except OSError:
        tmp.unlink(missing_ok=True)  # a filesystem without symlinks: no latest-run link


def run_id_of(run_dir: Path) -> str | None:
    """The id in a run directory's name, or None if it is not one."""
    m = _RUN_DIR.fullmatch(Path(run_dir).name)
    return m.group(1) if m else None


def find_run_dir(base: Path, run_id: str) -> Path | None:
    """The directory of run ``run_id`` (exactly that id: not ``x-<id>``, no glob patterns)."""
    root = root_for(base)
    if not root.is_dir():
        return None
    found = sorted(p for p in root.iterdir() if run_id_of(p) == run_id and p.is_dir())
    return found[-1] if found else None
