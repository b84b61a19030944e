"""A run used from another process: W&B's ``run._attach_id`` and ``wandb._attach`` (Lightning's ``ddp_spawn``).

W&B lets a process started from the trainer (``multiprocessing`` spawn: a
fresh interpreter, pickled objects) write to the trainer's run by attaching
to it. A tidelog run has one producer, the process that called ``init()``
(its ring has one writer), so an attached process does not write the run
itself: it relays each call to that process, which makes it there::

    the run's process                                 a process it started
    run._attach_id ─► serve(run): a Listener         _attach(id) ─► AttachedRun
      (multiprocessing.connection on an abstract      run.log(...) ─► (name, args, kwargs)
       Unix socket; its name and key exported in                 ◄── ("ok", result) | ("error", exception)
       $TIDELOG_ATTACH, which children inherit)       the relay thread makes the call on the run

* Synchronous: a call returns once the run's process has made it, so an error
  (a bad value, a finished run) is raised in the caller, and one process's
  calls keep their order. Values (media and tables too) travel pickled: the
  snapshot is taken in the caller, as ``log()`` takes it.
* Only the calls in ``_CALLS`` travel; the attached run's ``finish()``
  detaches without finishing the run (its process finishes it, as in W&B).
* The relay stops when the run finishes; an attached process that calls after
  that gets the finished run's ``UsageError``; one whose run's process is gone
  gets ``UsageError`` saying so.
"""

from __future__ import annotations

import os
import secrets
import threading
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from typing import Any, Literal

from tidelog import settings
from tidelog.errors import UsageError

__all__ = ["serve", "attach", "AttachedRun", "close_relay"]

# What an attached process may ask of the run: the W&B surface the clients use from a worker.
_CALLS = {
    "log", "define_metric", "save", "alert", "log_artifact",
    "config.update", "config.__setitem__", "config.__delitem__", "config.setdefaults",
    "summary.__setitem__", "summary.update", "summary.__delitem__", "summary.__getitem__",
}


def serve(run: Any) -> str:
    """In the run's process: start its relay (once) and export where it listens; the run's id."""
    relay = run.__dict__.get("_relay")
    if relay is None:
        relay = run.__dict__["_relay"] = _Relay(run)
    settings.export_attach(relay.name, relay.key)
    return run.id


def close_relay(run: Any) -> None:
    """At ``finish()``: attached processes can no longer reach the run."""
    relay = run.__dict__.pop("_relay", None)
    if relay is not None:
        relay.close()


class _Relay:
    def __init__(self, run: Any) -> None:
        self.run = run
        self.name = f"tidelog-attach-{run.id}-{os.getpid()}-{secrets.token_hex(4)}"
        self.key = secrets.token_bytes(32)
        self._listener = Listener("\0" + self.name, family="AF_UNIX", authkey=self.key)
        threading.Thread(target=self._accept, name="tidelog-attach", daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except OSError:
                return   # closed at finish()
            except (AuthenticationError, EOFError):
                continue   # a bad handshake (a wrong key, a caller gone): refuse that one, keep serving
            threading.Thread(target=self._serve, args=(conn,), name="tidelog-attached", daemon=True).start()

    def _serve(self, conn: Connection) -> None:
        with conn:
            while True:
                try:
                    name, args, kwargs = conn.recv()
                except (EOFError, OSError):
                    return   # the attached process detached or ended
                try:
                    conn.send(("ok", self._call(name, args, kwargs)))
                except Exception as e:  # noqa: BLE001 - every error goes back to the caller, where it is raised
                    conn.send(("error", _portable(e)))

    def _call(self, name: str, args: tuple, kwargs: dict) -> Any:
        run = self.run
        if name == "state":
            return {"step": run.step, "config": dict(run.config), "finished": run.finished}
        if name == "info":
            return {k: getattr(run, k) for k in _INFO}
        if name not in _CALLS:
            raise UsageError(f"tidelog: {name}() is not available on an attached run")
        target: Any = run
        for part in name.split("."):
            target = getattr(target, part)
        result = target(*args, **kwargs)
        return result if name in ("save", "summary.__getitem__") else None


def _portable(error: Exception) -> Exception:
    """The error as the caller will raise it (an exception that does not pickle becomes a UsageError)."""
    import pickle

    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - whatever the reason, send its text instead
        return UsageError(f"{type(error).__name__}: {error}")
    return error


def attach(attach_id: str | None) -> AttachedRun:
    """In a process started from the run's process: the run ``attach_id`` (None: whichever it serves)."""
    where = settings.attach_address()
    if where is None:
        raise UsageError(f"tidelog._attach({attach_id!r}): no run to attach to. A run is reachable from processes "
                         "started after its run._attach_id was read in the process that called init() "
                         "(Lightning reads it when it spawns workers)")
    name, key = where
    try:
        conn = Client("\0" + name, family="AF_UNIX", authkey=key)
    except OSError as e:
        raise UsageError(f"tidelog._attach({attach_id!r}): the run's process is gone or its run has finished "
                         f"({e})") from e
    run = AttachedRun(conn)
    if attach_id is not None and run.id != attach_id:
        run.finish()
        raise UsageError(f"tidelog._attach({attach_id!r}): the run reachable from here is {run.id!r}")
    return run


# The run's identity, copied once at attach: an AttachedRun has these attributes, as the run has.
_INFO = ("id", "name", "project", "entity", "dir", "path", "group", "job_type", "tags", "notes", "resumed")


class AttachedRun:
    """A run whose calls are made by the process that owns it (see the module docstring)."""

    id: str
    name: str
    project: str
    entity: str | None
    dir: str
    path: str
    group: str | None
    job_type: str | None
    tags: tuple
    notes: str | None
    resumed: bool

    def __init__(self, conn: Connection) -> None:
        self._conn: Connection | None = conn
        self._lock = threading.Lock()
        self._pid = os.getpid()
        info = self._call("info")
        for k in _INFO:
            setattr(self, k, info[k])
        self.url = None
        self.config = _AttachedConfig(self)
        self.summary = _AttachedSummary(self)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() != self._pid:
            raise UsageError("tidelog: an attached run is used only by the process that attached it")
        with self._lock:
            if self._conn is None:
                raise UsageError(f"tidelog.{name.split('.')[0]}: this attached run was finished (detached)")
            try:
                self._conn.send((name, args, kwargs))
                status, value = self._conn.recv()
            except (EOFError, OSError) as e:
                raise UsageError(f"tidelog.{name}: the run's process is gone or its run has finished") from e
        if status == "error":
            raise value
        return value

    @property
    def _attach_id(self) -> str:
        return self.id

    @property
    def step(self) -> int:
        return self._call("state")["step"]

    @property
    def finished(self) -> bool:
        return self._conn is None

    def log(self, data: dict | None = None, step: int | None = None, commit: bool | None = None,
            sync: bool | None = None) -> None:
        self._call("log", data, step=step, commit=commit)

    def define_metric(self, name: str, *args: Any, **kwargs: Any) -> None:
        self._call("define_metric", name, *args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("save", *args, **kwargs)

    def alert(self, *args: Any, **kwargs: Any) -> None:
        self._call("alert", *args, **kwargs)

    def log_artifact(self, *args: Any, **kwargs: Any) -> None:
        self._call("log_artifact", *args, **kwargs)

    def watch(self, models: Any, *args: Any, **kwargs: Any) -> None:
        from tidelog.api.watch import watch

        watch(self, models, *args, **kwargs)

    def unwatch(self, models: Any = None) -> None:
        from tidelog.api.watch import unwatch

        unwatch(self, models)

    def finish(self, exit_code: int | None = None, quiet: bool | None = None, **kwargs: Any) -> None:
        """Detach: the run goes on in its own process, which finishes it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> AttachedRun:
        return self

    def __exit__(self, *exc: Any) -> Literal[False]:
        self.finish()
        return False


class _AttachedConfig:
    """``run.config`` of an attached run: reads the run's config, changes it there."""

    def __init__(self, run: AttachedRun) -> None:
        object.__setattr__(self, "_run", run)

    def _items(self) -> dict:
        return self._run._call("state")["config"]

    def update(self, d: Any = None, allow_val_change: bool | None = None, **kwargs: Any) -> None:
        from tidelog.api.config import as_dict

        self._run._call("config.update", {**as_dict(d), **kwargs}, allow_val_change=allow_val_change)

    def setdefaults(self, d: dict) -> None:
        self._run._call("config.setdefaults", dict(d))

    def __setitem__(self, key: str, value: Any) -> None:
        self._run._call("config.__setitem__", key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        self._run._call("config.__setitem__", key, value)

    def __delitem__(self, key: str) -> None:
        self._run._call("config.__delitem__", key)

    def __getitem__(self, key: str) -> Any:
        return self._items()[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._items()[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._items()

    def __iter__(self):
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._items().get(key, default)

    def keys(self):
        return self._items().keys()

    def items(self):
        return self._items().items()

    def as_dict(self) -> dict:
        return self._items()


class _AttachedSummary:
    """``run.summary`` of an attached run: each read and write is made on the run."""

    def __init__(self, run: AttachedRun) -> None:
        self._run = run

    def __setitem__(self, key: str, value: Any) -> None:
        self._run._call("summary.__setitem__", key, value)

    def __getitem__(self, key: str) -> Any:
        return self._run._call("summary.__getitem__", key)

    def __delitem__(self, key: str) -> None:
        self._run._call("summary.__delitem__", key)

    def update(self, d: dict | None = None, **kwargs: Any) -> None:
        self._run._call("summary.update", {**(d or {}), **kwargs})
