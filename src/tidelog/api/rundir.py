"""Where a run lives on disk (design.md section 4).

    <dir>/tidelog/
      latest-run -> run-20261125_060102-<id>
      run-20261125_060102-<id>/   wal/  media/  files/  logs/  transport/
"""

from __future__ import annotations

import os
import secrets
import string
import time
from pathlib import Path

__all__ = ["new_run_id", "root_for", "create_run_dir", "find_run_dir"]

_ALPHABET = string.ascii_lowercase + string.digits


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


def find_run_dir(base: Path, run_id: str) -> Path | None:
    root = root_for(base)
    if not root.is_dir():
        return None
    found = sorted(p for p in root.glob(f"run-*-{run_id}") if p.is_dir())
    return found[-1] if found else None
