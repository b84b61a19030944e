"""Run settings, resolved and checked in one place, once, at ``init()``.

Precedence, highest first: an argument to ``init()``, a ``TIDELOG_*``
environment variable, the matching ``WANDB_*`` variable (so existing job
scripts keep working), the default. An empty variable counts as unset.
Nothing else in tidelog reads the environment for these, and the defaults
live only here (``DEFAULTS``): the sender and the WAL writer take theirs from
this module.

A bad value is a ``SettingsError`` (a ``UsageError`` and a ``ValueError``)
naming the argument or variable, the value, and what is accepted, raised
before anything is created. What reaches the sender is already checked, so a
bad setting can never make it crash-loop.

    setting         init()      variables                         accepted
    mode            mode=       TIDELOG_MODE, WANDB_MODE          offline, disabled, dryrun (= offline),
                                                                  online, run (= offline + streamed to TIDELOG_SERVER;
                                                                  one notice when it is unset)
    project         project=    TIDELOG_PROJECT, WANDB_PROJECT    a name (see ``check_name``)
    dir             dir=        TIDELOG_DIR, WANDB_DIR            a directory (created if missing)
    run id          id=         TIDELOG_RUN_ID, WANDB_RUN_ID      a name (see ``check_name``)
    resume          resume=     TIDELOG_RESUME, WANDB_RESUME      allow, must, never, auto (True = allow)
    entity, name,   entity= ... TIDELOG_ENTITY, WANDB_ENTITY, *_NAME, *_NOTES, *_RUN_GROUP, *_JOB_TYPE
    notes, group, job_type                                        any text
    tags            tags=       TIDELOG_TAGS, WANDB_TAGS          a list of strings (variables: comma-separated)
    fsync           -           TIDELOG_FSYNC                     batch, never, interval:<ms>
    ring size       -           TIDELOG_RING_MB                   whole MiB, 1 to 65536
    stats interval  -           TIDELOG_STATS_INTERVAL            seconds >= 0 (0 = no system metrics)
    console         settings=   TIDELOG_CONSOLE, WANDB_CONSOLE    auto, off, wrap, redirect, wrap_raw, wrap_emu
                    {"console": ...}                              (redirect: fd-level tee; off: none;
                                                                  the rest: a sys.stdout/err wrap)

Readers, the CLI, the HTTP client and the server read their few variables
through the small functions at the end (``read_dir``, ``server_url``,
``api_key``, ``silent``, ``env_project``, ``server_root``, ``s3_endpoint``,
``s3_region``): an explicit argument wins, then the variables, then the
default, as above.

    where runs are read  --dir, dir=    TIDELOG_DIR, WANDB_DIR            default "."
    tracking server      server=        TIDELOG_SERVER                    a URL (no default)
    server API key       api_key=       TIDELOG_API_KEY                   (none)
    quiet termlog        -              TIDELOG_SILENT, WANDB_SILENT      1, true, yes
    server data root     --root         TIDELOG_SERVER_ROOT, then $XDG_DATA_HOME/tidelog/server
    S3 endpoint, region  -              AWS_ENDPOINT_URL(_S3), AWS_DEFAULT_REGION / AWS_REGION
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tidelog.errors import SettingsError

__all__ = ["Settings", "DEFAULTS", "resolve", "check_name", "MODES", "RESUME", "MAX_NAME_LEN", "read_dir",
           "server_url", "api_key", "silent", "env_project", "server_root", "s3_endpoint", "s3_region", "CONSOLE"]

# Every run is logged offline; "dryrun" is W&B's old name for that. "online" (and W&B's legacy
# "run") also streams the WAL to $TIDELOG_SERVER while logging (live mode, sender/live.py).
MODES = {"offline": "offline", "dryrun": "offline", "disabled": "disabled", "online": "offline",
         "run": "offline"}
RESUME = ("allow", "must", "never", "auto")
CONSOLE = ("auto", "off", "wrap", "redirect", "wrap_raw", "wrap_emu")   # W&B's console settings
MAX_NAME_LEN = 128
_FORBIDDEN = "/\\#?%:"          # what W&B refuses in run ids and project names
_MAX_RING_MB = 65536
_FSYNC = re.compile(r"batch|never|interval:0*[1-9][0-9]{0,8}")


@dataclass(frozen=True)
class Settings:
    mode: str = "offline"
    project: str = "uncategorized"
    dir: Path = Path(".")
    run_id: str = ""                    # "" = a new random id
    resume: bool | str | None = None
    entity: str = ""
    name: str = ""
    notes: str = ""
    group: str = ""
    job_type: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    fsync: str = "interval:200"         # see docs/wal-format.md, durability table
    ring_bytes: int = 32 * 1024 * 1024  # shared-memory ring between trainer and sender
    stats_interval_s: float = 15.0      # system metrics (W&B's default); 0 disables
    console: str = "auto"               # console capture: console_wrap.py; "redirect": console.py; "off"
    server: str = ""                    # live mode (mode="online" + TIDELOG_SERVER): stream the WAL here

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


DEFAULTS = Settings()
_online_noticed = False


def check_name(value: Any, source: str) -> str:
    """A run id or project name that is safe as part of a file name on every platform.

    Refused: what W&B refuses (``/ \\ # ? % :``), whitespace and control
    characters, a leading ``.``, ``..`` anywhere, the empty string, and more
    than ``MAX_NAME_LEN`` (128) characters.
    """
    if not isinstance(value, str):
        raise SettingsError(f"tidelog.init: {source} must be a string, not {type(value).__name__}")
    why = ""
    if not value:
        why = "it is empty"
    elif len(value) > MAX_NAME_LEN:
        why = f"it is {len(value)} characters long (at most {MAX_NAME_LEN})"
    elif any(c in _FORBIDDEN for c in value):
        why = f"it contains {sorted({c for c in value if c in _FORBIDDEN})} (not allowed: / \\ # ? % :)"
    elif any(c.isspace() or not c.isprintable() for c in value):
        why = "it contains whitespace or control characters"
    elif value.startswith(".") or ".." in value:
        why = "it starts with '.' or contains '..'"
    if why:
        raise SettingsError(f"tidelog.init: {source}={value!r} is not allowed: {why}. Use letters, digits, "
                            f"'-', '_' and '.' (not leading), at most {MAX_NAME_LEN} characters.")
    return value


def _env(name: str) -> tuple[str, str] | None:
    """(value, variable) of TIDELOG_<name>, else WANDB_<name>, else None."""
    for prefix in ("TIDELOG_", "WANDB_"):
        value = os.environ.get(prefix + name)
        if value:
            return value, prefix + name
    return None


def _pick(arg: Any, arg_name: str, env_name: str | None) -> tuple[Any, str] | None:
    """The argument if given, else the variable; with where it came from."""
    if arg is not None:
        return arg, f"{arg_name}"
    return _env(env_name) if env_name else None


def _text(arg: Any, arg_name: str, env_name: str) -> str:
    got = _pick(arg, arg_name, env_name)
    if got is None:
        return ""
    value, source = got
    if not isinstance(value, str):
        raise SettingsError(f"tidelog.init: {source} must be a string, not {type(value).__name__}")
    return value


def _mode(arg: Any) -> tuple[str, str]:
    """The mode, and the live-mode server ("" unless online with ``TIDELOG_SERVER`` set)."""
    global _online_noticed
    got = _pick(arg, "mode", "MODE")
    if got is None:
        return DEFAULTS.mode, ""
    value, source = got
    key = value.lower() if isinstance(value, str) else value
    if key not in MODES:
        raise SettingsError(f"tidelog.init: {source}={value!r} is not a mode; use one of "
                            f"{', '.join(MODES)}")
    server = (server_url() or "") if key in ("online", "run") else ""
    if key in ("online", "run") and not server and not _online_noticed:
        from tidelog._warn import warn

        _online_noticed = True
        warn(f"tidelog: {source}={value!r} but no tracking server is set (TIDELOG_SERVER); this run is "
             "logged offline (`tidelog sync` uploads it later)")
    return MODES[key], server


def _resume(arg: Any) -> bool | str | None:
    if arg is not None:
        if arg in (True, False) or arg in RESUME:
            return arg
        raise SettingsError(f"tidelog.init: resume={arg!r} is not accepted; use True, False or one of "
                            f"{', '.join(map(repr, RESUME))}")
    got = _env("RESUME")
    if got is None:
        return None
    value, source = got
    if value.lower() not in RESUME:
        raise SettingsError(f"tidelog.init: {source}={value!r} is not accepted; use one of {', '.join(RESUME)}")
    return value.lower()


def _tags(arg: Any) -> tuple[str, ...]:
    if arg is None:
        got = _env("TAGS")
        return tuple(t.strip() for t in got[0].split(",") if t.strip()) if got else ()
    if isinstance(arg, (str, bytes)) or not hasattr(arg, "__iter__"):
        raise SettingsError(f"tidelog.init: tags={arg!r} must be a list of strings")
    tags = tuple(arg)
    bad = [t for t in tags if not isinstance(t, str)]
    if bad:
        raise SettingsError(f"tidelog.init: tags must be strings; {bad!r} are not")
    return tags


def _dir(arg: Any) -> Path:
    got = _pick(arg, "dir", "DIR")
    if got is None:
        return DEFAULTS.dir.absolute()
    value, source = got
    if not isinstance(value, (str, os.PathLike)):
        raise SettingsError(f"tidelog.init: {source} must be a path, not {type(value).__name__}")
    path = Path(value).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise SettingsError(f"tidelog.init: {source}={str(value)!r} is not a directory")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise SettingsError(f"tidelog.init: {source}={str(value)!r} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SettingsError(f"tidelog.init: {source}={str(value)!r}: no permission to write in {existing}")
    return path


def _fsync() -> str:
    got = _env("FSYNC")
    if got is None:
        return DEFAULTS.fsync
    value, source = got
    # The grammar of wal.writer.FsyncPolicy.parse, checked here without importing the WAL
    # writer (and zstd) into the training process.
    policy = value.strip().lower()
    if not _FSYNC.fullmatch(policy):
        raise SettingsError(f"{source}={value!r} is not an fsync policy; use batch, never, or "
                            "interval:<milliseconds> (e.g. interval:200, the default)")
    return policy


def _ring_bytes() -> int:
    got = _env("RING_MB")
    if got is None:
        return DEFAULTS.ring_bytes
    value, source = got
    try:
        mb = int(value.strip())
    except ValueError:
        mb = 0
    if not 1 <= mb <= _MAX_RING_MB:
        raise SettingsError(f"{source}={value!r} is not a ring size; use a whole number of MiB "
                            f"from 1 to {_MAX_RING_MB} (default {DEFAULTS.ring_bytes >> 20})")
    return mb * 1024 * 1024


def _stats_interval() -> float:
    got = _env("STATS_INTERVAL")
    if got is None:
        return DEFAULTS.stats_interval_s
    value, source = got
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds >= 0):
        raise SettingsError(f"{source}={value!r} is not an interval; use seconds >= 0 (0 turns system "
                            f"metrics off; default {DEFAULTS.stats_interval_s:g})")
    return seconds


def _console(arg: Any) -> str:
    got = _pick(arg, "settings console", "CONSOLE")
    if got is None:
        return DEFAULTS.console
    value, source = got
    key = value.lower() if isinstance(value, str) else value
    if key not in CONSOLE:
        raise SettingsError(f"tidelog.init: {source}={value!r} is not a console setting; use one of "
                            f"{', '.join(CONSOLE)}")
    return key


def resolve(*, mode: Any = None, project: Any = None, dir: Any = None, id: Any = None, resume: Any = None,
            entity: Any = None, name: Any = None, notes: Any = None, group: Any = None,
            job_type: Any = None, tags: Any = None, console: Any = None) -> Settings:
    """Settings for a new run from ``init()`` arguments and the environment; ``SettingsError`` if bad."""
    got_project = _pick(project, "project", "PROJECT")
    got_id = _pick(id or None, "id", "RUN_ID")
    mode_, server = _mode(mode)
    return Settings(
        mode=mode_,
        server=server,
        project=check_name(*got_project) if got_project else DEFAULTS.project,
        dir=_dir(dir),
        run_id=check_name(*got_id) if got_id else "",
        resume=_resume(resume),
        entity=_text(entity, "entity", "ENTITY"),
        name=_text(name, "name", "NAME"),
        notes=_text(notes, "notes", "NOTES"),
        group=_text(group, "group", "RUN_GROUP"),
        job_type=_text(job_type, "job_type", "JOB_TYPE"),
        tags=_tags(tags),
        fsync=_fsync(),
        ring_bytes=_ring_bytes(),
        stats_interval_s=_stats_interval(),
        console=_console(console),
    )


# -- reader side: the CLI, tidelog.Api, the HTTP client and the server ------------------

READ_DIR_DEFAULT = "."
S3_REGION_DEFAULT = "us-east-1"


def read_dir(given: str | os.PathLike | None = None) -> str:
    """Where runs are read from: ``given``, else ``$TIDELOG_DIR``, else ``$WANDB_DIR``, else ``.``."""
    if given:
        return str(given)
    got = _env("DIR")
    return got[0] if got else READ_DIR_DEFAULT


def server_url(given: str | None = None) -> str | None:
    """The tracking server: ``given``, else ``$TIDELOG_SERVER``, else None."""
    return given or os.environ.get("TIDELOG_SERVER") or None


def api_key(given: str | None = None) -> str | None:
    """The server API key: ``given`` (even empty), else ``$TIDELOG_API_KEY``, else None."""
    return given if given is not None else os.environ.get("TIDELOG_API_KEY")


def silent() -> bool:
    """``TIDELOG_SILENT`` or ``WANDB_SILENT`` set to 1, true or yes: W&B's quiet terminal messages."""
    return any(os.environ.get(name, "").lower() in ("1", "true", "yes")
               for name in ("TIDELOG_SILENT", "WANDB_SILENT"))


def env_project() -> str | None:
    """``$TIDELOG_PROJECT``, else ``$WANDB_PROJECT``, else None (unchecked: ``init()`` checks it)."""
    got = _env("PROJECT")
    return got[0] if got else None


def server_root() -> Path:
    """``$TIDELOG_SERVER_ROOT``, else ``$XDG_DATA_HOME/tidelog/server`` (``~/.local/share/...``)."""
    env = os.environ.get("TIDELOG_SERVER_ROOT")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tidelog" / "server"


def s3_endpoint() -> str | None:
    """``$AWS_ENDPOINT_URL``, else ``$AWS_ENDPOINT_URL_S3``: an S3-compatible store that is not AWS."""
    return os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3") or None


def s3_region() -> str:
    """``$AWS_DEFAULT_REGION``, else ``$AWS_REGION``, else ``us-east-1``."""
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or S3_REGION_DEFAULT


# -- processes attached to a run (api/attach.py) -------------------------------------------

ATTACH_ENV = "TIDELOG_ATTACH"


def attach_address() -> tuple[str, bytes] | None:
    """``$TIDELOG_ATTACH``: (the relay's socket name, its key), as ``export_attach`` wrote it; None if unset."""
    value = os.environ.get(ATTACH_ENV, "")
    name, _, key = value.rpartition(":")
    try:
        return (name, bytes.fromhex(key)) if name and key else None
    except ValueError:
        return None


def export_attach(name: str, key: bytes) -> None:
    """Tell processes started from here (``multiprocessing`` spawn, DDP) where this run's relay listens."""
    os.environ[ATTACH_ENV] = f"{name}:{key.hex()}"
