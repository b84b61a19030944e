"""Where a run lives on disk: every folder and file name of a run, spelled once.

    <dir>/tidelog/                      root_for(<dir>)
      latest-run -> run-20261125_060102-<id>
      run-20261125_060102-<id>/         RunDir(path)
        wal/                .wal        the run's log (``docs/wal-format.md``)
        media/  files/                  content-addressed media; saved files
        logs/               .logs       sender-<pid>.err: why a sender died
        transport/          .transport  ring (when /dev/shm refuses it), spill/
        sync/               .sync       <server>.json: what was uploaded where
        .trainer.lock .sender.lock      held while a process has the run open (``runlock``)

A ``RunDir`` only names paths: it creates nothing, so readers, the sender and
the trainer can all hold one. Run ids are checked before they get here
(``settings.check_name``: nothing that could leave the directory or is no
portable file name). One id has one directory: ``init()`` refuses to reuse
an id unless asked to resume it.
"""

from __future__ import annotations

import os
import re
import secrets
import string
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunDir", "new_run_id", "root_for", "create_run_dir", "find_run_dir", "run_id_of", "run_dirs",
           "is_run_dir", "TRAINER_LOCK", "SENDER_LOCK", "ROOT_NAME", "LATEST"]

ROOT_NAME = "tidelog"            # the folder under init(dir=...) that holds the runs
LATEST = "latest-run"            # symlink to the newest run in that folder
TRAINER_LOCK = ".trainer.lock"
SENDER_LOCK = ".sender.lock"

_ALPHABET = string.ascii_lowercase + string.digits
_RUN_DIR = re.compile(r"run-[0-9]{8}_[0-9]{6}-(.+)")


@dataclass(frozen=True)
class RunDir:
    """The paths of one run directory (nothing is created or checked)."""

    path: Path

    def __init__(self, path: str | os.PathLike) -> None:
        object.__setattr__(self, "path", Path(path))

    @property
    def wal(self) -> Path:
        return self.path / "wal"

    @property
    def media(self) -> Path:
        return self.path / "media"

    @property
    def files(self) -> Path:
        return self.path / "files"

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    @property
    def transport(self) -> Path:
        return self.path / "transport"

    @property
    def ring(self) -> Path:
        """The ring file when ``/dev/shm`` cannot hold it."""
        return self.transport / "ring"

    @property
    def spill(self) -> Path:
        """The spill files' base path (``spill.<episode>``, see ``transport.ring.spill_file``)."""
        return self.transport / "spill"

    @property
    def sync(self) -> Path:
        return self.path / "sync"

    @property
    def trainer_lock(self) -> Path:
        return self.path / TRAINER_LOCK

    @property
    def sender_lock(self) -> Path:
        return self.path / SENDER_LOCK

    def sender_err(self, pid: int) -> Path:
        """Where a sender that died left its traceback."""
        return self.logs / f"sender-{pid}.err"

    @property
    def run_id(self) -> str | None:
        return run_id_of(self.path)


def new_run_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def root_for(base: str | os.PathLike) -> Path:
    """``<dir>/tidelog``; a path that already ends in ``tidelog`` is taken as the root."""
    base = Path(base)
    return base if base.name == ROOT_NAME else base / ROOT_NAME


def is_run_dir(path: str | os.PathLike) -> bool:
    """Does ``path`` hold a run (its ``wal/`` folder)?"""
    return RunDir(path).wal.is_dir()


def run_dirs(root: Path) -> list[Path]:
    """The run directories in ``root`` (a ``<dir>/tidelog`` folder), by name: oldest first."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("run-*") if is_run_dir(p))


def create_run_dir(base: Path, run_id: str) -> Path:
    root = root_for(base)
    stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime())
    run_dir = root / f"run-{stamp}-{run_id}"
    RunDir(run_dir).wal.mkdir(parents=True, exist_ok=False)
    _point_latest(root, run_dir.name)
    return run_dir


def _point_latest(root: Path, name: str) -> None:
    link = root / LATEST
    tmp = root / f".{LATEST}-{os.getpid()}"
    try:
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(name)
        os.replace(tmp, link)
    except OSError:
        tmp.unlink(missing_ok=True)  # a filesystem without symlinks: no latest-run link


def run_id_of(run_dir: str | os.PathLike) -> str | None:
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
