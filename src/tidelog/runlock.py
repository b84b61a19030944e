"""The two locks that say a run is open: ``.trainer.lock`` and ``.sender.lock``.

Each is an exclusive ``flock`` held by the process for as long as it has the
run open; the kernel drops it when the process dies, however it dies. So a
reader tells a running run from a crashed one by trying the locks, and no
two processes ever write one run's WAL at once.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from tidelog.rundir import SENDER_LOCK, TRAINER_LOCK

__all__ = ["TRAINER", "SENDER", "try_hold", "is_held"]

TRAINER = TRAINER_LOCK
SENDER = SENDER_LOCK


def try_hold(run_dir: Path, name: str) -> int | None:
    """Take the lock: its file descriptor (close it to release), or None if another process holds it."""
    fd = os.open(Path(run_dir) / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_held(run_dir: Path, name: str) -> bool:
    """Does a live process hold this lock right now?"""
    path = Path(run_dir) / name
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
