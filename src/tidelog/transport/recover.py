"""Draining rings whose trainer and sender both died.

A crash of one process loses nothing: the other one finishes the job. When
both are killed at once (a job scheduler's SIGKILL to the whole job, a
cgroup OOM kill), frames the sender had not yet written stay in the ring
file under /dev/shm. Those files outlive the processes (not the machine), so
this module finds them and starts an ordinary sender for each: it sees its
trainer gone, writes what was left, marks the run ``crashed`` and removes
the ring. ``tidelog recover`` runs it by hand; ``tidelog.init()`` runs it in
the background for whatever it finds.

A ring is an orphan when no sender holds its run's lock and its producer
is done with it: the producer process is dead, or it closed the ring and let
go of the run (a ``finish()`` whose sender was broken, see
``transport.supervisor``). Rings that do not record their run directory are
reported and left alone. ``recover`` raises ``SenderError`` (with the
sender's traceback) when the draining sender fails too, and when it is still
draining after ``timeout`` seconds (the sender is left running: it holds the
run's lock and finishes the job on its own; nothing is lost).
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from tidelog.errors import SenderError
from tidelog.rundir import RunDir, is_run_dir
from tidelog.runlock import SENDER, TRAINER, is_held
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


def find_orphans(shm: Path = SHM, extra: tuple[Path, ...] | list[Path] = ()) -> list[Orphan]:
    """Orphaned rings under ``shm``, and among ``extra`` ring paths (a run's ``transport/ring``)."""
    out = []
    found = sorted(shm.glob("tidelog-*.ring")) if shm.is_dir() else []
    for path in found + [p for p in extra if p.is_file()]:
        try:
            ring = Ring.attach(path)
        except (OSError, ValueError):
            continue
        try:
            pid, run_dir, closed = ring.producer_pid, ring.run_dir, ring.closed
            unwritten = ((ring.write_pos - ring.read_pos) + (ring.spill_written - ring.spill_acked)
                         + ring.open_bytes)   # a console frame the trainer left open is adopted too
        finally:
            ring.close()
        if run_dir is not None and is_held(run_dir, SENDER):
            continue
        let_go = closed and run_dir is not None and is_run_dir(run_dir) and not is_held(run_dir, TRAINER)
        if _alive(pid) and not let_go:
            continue
        out.append(Orphan(path, pid, run_dir, unwritten))
    return out


def recover(orphan: Orphan, wait: bool = True, timeout: float = 300.0) -> subprocess.Popen | None:
    """Start a sender that drains ``orphan`` into its run's WAL; None if it has no run directory.

    With ``wait``, a sender that fails raises ``SenderError`` carrying its traceback, and
    so does one still running after ``timeout`` seconds (it is left to finish on its own).
    """
    if orphan.run_dir is None or not is_run_dir(orphan.run_dir):
        return None
    argv = sender_argv(run_dir=orphan.run_dir, ring=orphan.ring,
                       spill=RunDir(orphan.run_dir).spill, trainer_pid=orphan.pid, stats_interval=0)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True)
    if wait:
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            threading.Thread(target=proc.wait, name="tidelog-recover-reaper", daemon=True).start()
            raise SenderError(
                f"the sender recovering {orphan.run_dir} (pid {proc.pid}) was still writing after {timeout:g} s; "
                "it is left running and finishes on its own: run tidelog recover again once it has exited"
            ) from None
        if code != 0:
            err = RunDir(orphan.run_dir).sender_err(proc.pid)
            detail = err.read_text(errors="replace").strip() if err.exists() else "(no traceback was left)"
            raise SenderError(f"the sender recovering {orphan.run_dir} exited with status {code}:\n{detail}")
    return proc
