"""``tidelog.init()``: settings, the run directory, resuming, and the current run."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidelog import settings as settings_mod
from tidelog._warn import warn
from tidelog.api import lifecycle
from tidelog.api.config import allow_val_change
from tidelog.api.disabled import DisabledRun
from tidelog.api.run import Run
from tidelog.errors import UsageError
from tidelog.rundir import RunDir, create_run_dir, find_run_dir, new_run_id

__all__ = ["init"]

# W&B init() arguments a script may pass beyond the named ones, accepted so scripts run unchanged;
# anything else is a TypeError. Two are read: ``settings`` (its console) and ``allow_val_change``
# (api/config.py); the rest have no meaning offline and are ignored.
_IGNORED = {
    "save_code", "sync_tensorboard", "monitor_gym", "magic", "anonymous", "allow_val_change",
    "config_exclude_keys", "config_include_keys", "force", "fork_from", "resume_from", "settings",
    "reinit", "job_type_", "tensorboard", "dir_", "host",
}


def init(project: str | None = None, entity: str | None = None, config: Any = None,
         name: str | None = None, id: str | None = None, dir: str | os.PathLike | None = None,
         mode: str | None = None, resume: bool | str | None = None, tags: Sequence[str] | None = None,
         notes: str | None = None, group: str | None = None, job_type: str | None = None,
         **kwargs: Any):
    """Start a run (W&B's ``wandb.init``). Usable as a context manager.

    Every argument and ``TIDELOG_*``/``WANDB_*`` variable is checked first
    (``settings.resolve``); a bad one raises ``SettingsError`` before anything
    is created or the previous run is finished.
    """
    unknown = set(kwargs) - _IGNORED
    if unknown:
        raise TypeError(f"tidelog.init() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    s = settings_mod.resolve(mode=mode, project=project, dir=dir, id=id, resume=resume, entity=entity,
                             name=name, notes=notes, group=group, job_type=job_type, tags=tags,
                             console=_setting(kwargs.get("settings"), "console"))
    run_id = s.run_id or new_run_id()
    existing = None if s.mode == "disabled" else _check_resume(s, run_id)
    previous = lifecycle.current()
    if previous is not None:
        previous.finish()
    run_name = s.name or run_id
    if s.mode == "disabled":
        disabled = DisabledRun(s.project, run_id, run_name, config)
        allow_val_change(disabled.config, kwargs.get("allow_val_change", False))
        lifecycle.activate(disabled)
        return disabled
    _recover_orphans()
    if existing is None:
        run = _create(s, run_id, run_name, config)
    else:
        run = _resume(s, existing, run_id, run_name, config)
    allow_val_change(run.config, kwargs.get("allow_val_change", False))
    lifecycle.activate(run)
    return run


def _setting(settings: Any, name: str) -> Any:
    """One value of W&B's ``init(settings=wandb.Settings(...) or {...})``; None when not given."""
    if settings is None:
        return None
    if isinstance(settings, dict):
        return settings.get(name)
    return getattr(settings, name, None)


def _check_resume(s: settings_mod.Settings, run_id: str) -> Path | None:
    """The run directory to resume, or None for a new run; refuses what ``resume`` does not allow."""
    existing = find_run_dir(s.dir, run_id)
    if s.resume == "must" and existing is None:
        raise UsageError(f"tidelog.init: resume='must' but no run with id {run_id!r} under {s.dir}")
    if s.resume == "never" and existing is not None:
        raise UsageError(f"tidelog.init: resume='never' but a run with id {run_id!r} exists at {existing}")
    if s.resume in (None, False) and existing is not None:
        raise UsageError(f"tidelog.init: a run with id {run_id!r} already exists at {existing}; pass "
                         f"resume=\"allow\" (or resume=\"must\") to continue it, or choose another id")
    return existing if s.resume not in (None, False, "never") else None


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
            warn(f"tidelog.init: the run at {orphan.run_dir} ended with {orphan.unwritten} bytes not yet "
                 f"written (both its processes killed, or its sender kept failing); writing what it left "
                 f"in {orphan.ring} to its log")


def _create(s: settings_mod.Settings, run_id: str, name: str, config: Any) -> Run:
    run_dir = create_run_dir(s.dir, run_id)
    run = Run(s, run_dir, run_id, name=name, entity=s.entity, tags=list(s.tags), notes=s.notes,
              group=s.group, job_type=s.job_type)
    run._start(config, header=True)
    return run


def _resume(s: settings_mod.Settings, run_dir: Path, run_id: str, name: str, config: Any) -> Run:
    from tidelog.read.run import RunState, sender_alive
    from tidelog.read.tail import last_transport_mark

    if sender_alive(run_dir):
        raise UsageError(f"tidelog.init: run {run_id!r} is still running "
                         f"(its sender holds {RunDir(run_dir).sender_lock})")
    state = RunState.load(run_dir)
    if state.damage:
        warn(f"tidelog.init: resuming {run_id!r}: its WAL has damage ({len(state.damage)} place(s)); "
             "run `tidelog verify` for details")
    s = s.with_(project=state.project or s.project)
    run = Run(s, run_dir, run_id, name=state.name or name, entity=state.entity or s.entity,
              tags=state.tags or list(s.tags), notes=state.notes or s.notes, group=state.group or s.group,
              job_type=state.job_type or s.job_type,
              start_step=(state.last_step + 1) if state.last_step is not None else 0,
              first_frame=last_transport_mark(RunDir(run_dir).wal), keys=state.keys, resumed=True)
    run._resume_from(state)
    run._start(config, header=False)
    return run
