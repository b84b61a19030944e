"""Draining rings whose trainer and sender both died.

A crash of one process loses nothing: the other one finishes the job. When
both are killed at once (a job scheduler's SIGKILL to the whole job, a
cgroup OOM kill), frames the sender had not yet written stay in the ring
file under /dev/shm. Those files outlive the processes (not the machine), so
this module finds them and starts an ordinary sender for each: it sees its
trainer gone, writes what was left, marks the run ``crashed`` and removes
the ring. ``tidelog recover`` runs it by hand; ``tidelog.init()`` runs it in
the background for whatever it finds.

A ring is an orphan when its producer process is dead and no sender holds
its run's lock. Rings that do not record their run directory are reported
and left alone.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tidelog.runlock import SENDER, is_held
from tidelog.transport.ring import Ring
from tidelog.transport.supervisor import sender_argv

__all__ = ["Orphan", "find_orphans", "recover"]

SHM = Path("/dev/shm")


@dataclass
class Orphan:
    ring: Path
    pid: int
    run_dir: Path | None
    unwritten: int  # bytes produced and not acknowledged, ring and spill


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_orphans(shm: Path = SHM) -> list[Orphan]:
    out = []
    for path in sorted(shm.glob("tidelog-*.ring")) if shm.is_dir() else []:
        try:
            ring = Ring.attach(path)
        except (OSError, ValueError):
            continue
        try:
            pid, run_dir = ring.producer_pid, ring.run_dir
            unwritten = (ring.write_pos - ring.read_pos) + (ring.spill_written - ring.spill_acked)
        finally:
            ring.close()
        if _alive(pid) or (run_dir is not None and is_held(run_dir, SENDER)):
            continue
        out.append(Orphan(path, pid, run_dir, unwritten))
    return out


def recover(orphan: Orphan, wait: bool = True, timeout: float = 300.0) -> subprocess.Popen | None:
    """Start a sender that drains ``orphan`` into its run's WAL; None if it has no run directory."""
    if orphan.run_dir is None or not (orphan.run_dir / "wal").is_dir():
        return None
    argv = sender_argv(run_dir=orphan.run_dir, ring=orphan.ring,
                       spill=orphan.run_dir / "transport" / "spill", trainer_pid=orphan.pid, stats_interval=0)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True)
    if wait:
        proc.wait(timeout=timeout)
    return proc
