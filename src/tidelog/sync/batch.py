"""Many runs, one outcome each: what ``tidelog sync`` does with its arguments.

``find_runs(targets, all_dirs)`` turns ``RUN_DIR`` / ``RUN_ID`` arguments and
``--all DIR`` into run directories (a target that names nothing is an
outcome of its own, ``not found``). ``sync_runs(...)`` syncs them one by
one through ``Retrying(HttpReplica)``: a run that fails (the server's 4xx
message, retries exhausted, an unreadable WAL) is reported and the batch
goes on; ``--follow`` follows every run until it ends (one thread per run).
Each run's outcome is printed as one line; the caller exits non-zero when
any failed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tidelog import settings
from tidelog.errors import ServerError, TidelogError
from tidelog.rundir import is_run_dir, root_for, run_dirs
from tidelog.sync.engine import RunSync, SyncResult
from tidelog.sync.replica import Replica

__all__ = ["Outcome", "describe", "find_runs", "runs_under", "sync_runs"]


@dataclass
class Outcome:
    target: str
    result: SyncResult | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def runs_under(base: Path) -> list[Path]:
    """``base`` itself when it is a run directory, else the runs under ``base/tidelog``."""
    if is_run_dir(base):
        return [base]
    return run_dirs(root_for(base))


def find_runs(targets: list[str], all_dirs: list[str]) -> tuple[list[Path], list[Outcome]]:
    """Run directories to sync, and an outcome for each target that names none."""
    found: list[Path] = []
    missing: list[Outcome] = []
    base = Path(settings.read_dir())
    for t in targets:
        p = Path(t)
        if is_run_dir(p):
            found.append(p)
            continue
        hits = [d for d in runs_under(base) if d.name.rsplit("-", 1)[-1] == t or d.name == t]
        if hits:
            found.append(hits[-1])
        else:
            missing.append(Outcome(t, error=f"no run directory or run id {t!r} (looked under {base.absolute()})"))
    for d in all_dirs:
        runs = runs_under(Path(d))
        if not runs:
            missing.append(Outcome(d, error=f"--all {d}: no runs there"))
        found += runs
    seen: set[Path] = set()
    unique = []
    for p in found:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    return unique, missing


def describe(o: Outcome) -> str:
    if o.error:
        return f"FAILED  {o.target}: {o.error}"
    r = o.result
    if r is None:   # _one gives every outcome without an error its result
        raise ValueError(f"the outcome for {o.target} has neither a result nor an error")
    sent = f"{r.records:,} records in {r.requests} request(s), {r.files} file(s)" if r.records or r.files \
        else "nothing to send"
    extra = f", {len(r.damage)} damaged region(s) ({sum(d['length'] for d in r.damage):,} bytes) skipped" \
        if r.damage else ""
    state = f" [{r.state}]" if r.state and r.state not in ("stated", "empty") else ""
    return f"synced  {r.project}/{r.run_id}{state}: {sent}{extra}; server at seq {r.acked_seq}  ({o.target})"


def _one(make_replica: Callable[[], Replica], run_dir: Path, follow: bool, progress: bool,
         stop: threading.Event) -> Outcome:
    from tidelog.sync.progress import bar

    target = str(run_dir)
    sync = None
    tick = None
    try:
        sync = RunSync(make_replica(), run_dir, stop=stop)
        tick = bar(f"{sync.base[0]}/{sync.base[1]}" if sync.base[1] else run_dir.name, sync.tail.size_left(), progress)
        sync.progress = tick
        result = sync.follow() if follow else sync.run()
        return Outcome(target, result)
    except (TidelogError, OSError, ValueError) as err:
        message = str(err) if isinstance(err, ServerError) else f"{type(err).__name__}: {err}"
        if sync is not None and sync.acked is not None:
            sync.save_cursor(complete=False)   # what ls shows: partial, and what is left
        return Outcome(target, sync.result if sync else None, error=message)
    finally:
        if tick is not None:
            tick.close()


def sync_runs(run_dirs: list[Path], make_replica: Callable[[], Replica], follow: bool = False,
              progress: bool = True, report: Callable[[Outcome], None] = lambda o: None,
              stop: threading.Event | None = None) -> list[Outcome]:
    stop = stop or threading.Event()
    if not follow or len(run_dirs) <= 1:
        out = []
        for d in run_dirs:
            o = _one(make_replica, d, follow, progress, stop)
            report(o)
            out.append(o)
        return out
    outcomes: list[Outcome | None] = [None] * len(run_dirs)

    def work(i: int, d: Path) -> None:
        o = _one(make_replica, d, True, False, stop)
        outcomes[i] = o
        report(o)

    threads = [threading.Thread(target=work, args=(i, d), daemon=True) for i, d in enumerate(run_dirs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [o for o in outcomes if o is not None]
