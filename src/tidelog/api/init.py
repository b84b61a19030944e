"""``tidelog.init()``: settings, the run directory, resuming, and the current run."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Sequence

from tidelog import settings as settings_mod
from tidelog._warn import warn
from tidelog.api import lifecycle
from tidelog.api.disabled import DisabledRun
from tidelog.api.run import Run
from tidelog.api.rundir import create_run_dir, find_run_dir, new_run_id
from tidelog.errors import UsageError

__all__ = ["init"]

# W&B init() arguments a script may pass that have no meaning offline. They are
# accepted and ignored so scripts run unchanged; anything else is a TypeError.
_IGNORED = {
    "save_code", "sync_tensorboard", "monitor_gym", "magic", "anonymous", "allow_val_change",
    "config_exclude_keys", "config_include_keys", "force", "fork_from", "resume_from", "settings",
    "reinit", "job_type_", "tensorboard", "dir_", "host",
}
_RESUME = {None, False, True, "allow", "must", "never", "auto"}


def init(project: str | None = None, entity: str | None = None, config: Any = None,
         name: str | None = None, id: str | None = None, dir: str | os.PathLike | None = None,
         mode: str | None = None, resume: bool | str | None = None, tags: Sequence[str] | None = None,
         notes: str | None = None, group: str | None = None, job_type: str | None = None,
         **kwargs: Any):
    """Start a run (W&B's ``wandb.init``). Usable as a context manager."""
    unknown = set(kwargs) - _IGNORED
    if unknown:
        raise TypeError(f"tidelog.init() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    if resume not in _RESUME:
        raise ValueError(f"tidelog.init: resume must be one of {sorted(map(str, _RESUME))}, not {resume!r}")
    s = settings_mod.resolve(mode=mode, project=project, dir=dir)
    previous = lifecycle.current()
    if previous is not None:
        previous.finish()
    run_id = id or os.environ.get("TIDELOG_RUN_ID") or os.environ.get("WANDB_RUN_ID") or new_run_id()
    run_name = name or run_id
    if s.mode == "disabled":
        run = DisabledRun(s.project, run_id, run_name, config)
        lifecycle.activate(run)
        return run
    _recover_orphans()
    run = _open(s, run_id, run_name, entity or "", config, resume, list(tags or []), notes or "",
                group or "", job_type or "")
    lifecycle.activate(run)
    return run


def _recover_orphans() -> None:
    """Drain, in the background, rings left by earlier runs whose processes all died."""
    from tidelog.transport.recover import find_orphans, recover

    for orphan in find_orphans():
        if orphan.unwritten == 0:
            orphan.ring.unlink(missing_ok=True)  # nothing to write: just a leftover file
            continue
        proc = recover(orphan, wait=False)
        if proc is not None:
            threading.Thread(target=proc.wait, name="tidelog-recover-reaper", daemon=True).start()
            warn(f"tidelog.init: the run at {orphan.run_dir} ended with both its processes killed; "
                 f"writing the {orphan.unwritten} bytes it left in {orphan.ring} to its log")


def _open(s, run_id: str, name: str, entity: str, config: Any, resume: Any, tags: list[str],
          notes: str, group: str, job_type: str) -> Run:
    existing = find_run_dir(s.dir, run_id) if resume not in (None, False) else None
    if resume == "must" and existing is None:
        raise UsageError(f"tidelog.init: resume='must' but no run with id {run_id!r} under {s.dir}")
    if resume == "never" and find_run_dir(s.dir, run_id) is not None:
        raise UsageError(f"tidelog.init: resume='never' but a run with id {run_id!r} exists under {s.dir}")
    if existing is None:
        run_dir = create_run_dir(s.dir, run_id)
        run = Run(s, run_dir, run_id, name=name, entity=entity, tags=tags, notes=notes,
                  group=group, job_type=job_type)
        run._start(config, header=True)
        return run
    return _resume(s, existing, run_id, name, entity, config, tags, notes, group, job_type)


def _resume(s, run_dir: Path, run_id: str, name: str, entity: str, config: Any, tags: list[str],
            notes: str, group: str, job_type: str) -> Run:
    from tidelog.read.run import RunState, sender_alive
    from tidelog.read.tail import last_transport_mark

    if sender_alive(run_dir):
        raise UsageError(f"tidelog.init: run {run_id!r} is still running (its sender holds {run_dir}/.sender.lock)")
    state = RunState.load(run_dir)
    if state.damage:
        warn(f"tidelog.init: resuming {run_id!r}: its WAL has damage ({len(state.damage)} place(s)); "
             "run `tidelog verify` for details")
    s = s.with_(project=state.project or s.project)
    run = Run(s, run_dir, run_id, name=state.name or name, entity=state.entity or entity,
              tags=state.tags or tags, notes=state.notes or notes, group=state.group or group,
              job_type=state.job_type or job_type,
              start_step=(state.last_step + 1) if state.last_step is not None else 0,
              first_frame=last_transport_mark(run_dir / "wal"), keys=state.keys, resumed=True)
    run.config._items.update(state.config)
    run.summary._user.update(state.user_summary)
    run._slow_last.update((k, (0, v)) for k, v in state.last_logged.items())
    run._start(config, header=False)
    return run
