"""Run settings, resolved in one place.

Precedence, highest first: an argument to ``init()``, a ``TIDELOG_*``
environment variable, the matching ``WANDB_*`` variable (so existing job
scripts keep working), the default. Nothing else in tidelog reads the
environment for these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings", "resolve", "MODES"]

# "dryrun" and "offline" are the same thing here: tidelog always logs locally.
MODES = {"offline": "offline", "dryrun": "offline", "disabled": "disabled", "online": "offline"}


@dataclass(frozen=True)
class Settings:
    mode: str = "offline"
    project: str = "uncategorized"
    dir: Path = Path(".")
    fsync: str = "interval:200"        # see docs/wal-format.md, durability table
    ring_bytes: int = 32 * 1024 * 1024  # shared-memory ring between trainer and sender
    stats_interval_s: float = 10.0      # system metrics (psutil); 0 disables
    sender_python: str = ""             # interpreter for the sender; "" = sys.executable
    server: str = ""                    # live mode (mode="online" + TIDELOG_SERVER): stream the WAL here

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def _env(name: str) -> str | None:
    """TIDELOG_<name>, else WANDB_<name>, else None (empty counts as unset)."""
    for prefix in ("TIDELOG_", "WANDB_"):
        value = os.environ.get(prefix + name)
        if value:
            return value
    return None


def resolve(*, mode: str | None = None, project: str | None = None, dir: str | os.PathLike | None = None) -> Settings:
    """Settings for a new run from ``init()`` arguments and the environment."""
    raw_mode = (mode or _env("MODE") or "offline").lower()
    if raw_mode not in MODES:
        raise ValueError(f"tidelog.init: mode must be one of 'offline', 'disabled' (or 'dryrun'), not {raw_mode!r}")
    s = Settings(
        mode=MODES[raw_mode],
        project=project or _env("PROJECT") or "uncategorized",
        dir=Path(dir or _env("DIR") or ".").expanduser().absolute(),
        server=os.environ.get("TIDELOG_SERVER", "") if raw_mode == "online" else "",
    )
    fsync = os.environ.get("TIDELOG_FSYNC")
    if fsync:
        s = s.with_(fsync=fsync)
    ring = os.environ.get("TIDELOG_RING_MB")
    if ring:
        s = s.with_(ring_bytes=max(1, int(ring)) * 1024 * 1024)
    stats = os.environ.get("TIDELOG_STATS_INTERVAL")
    if stats:
        s = s.with_(stats_interval_s=float(stats))
    return s
