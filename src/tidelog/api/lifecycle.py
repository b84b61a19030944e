"""The current run, and what happens when the interpreter exits.

``tidelog.run`` / ``tidelog.config`` / ``tidelog.summary`` point at the
current run's objects (placeholders that explain themselves before
``init()``). A script that exits without ``finish()`` finishes its run at
interpreter exit, as W&B does:

* it falls off the end, or calls ``sys.exit()`` / ``sys.exit(0)``: exit code
  0, ``finished``;
* it calls ``sys.exit(n)`` with ``n != 0``: exit code ``n``, ``failed``
  (``sys.exit("message")``: code 1, the message kept as the reason);
* an exception ends it: exit code 1, ``failed``, the traceback kept.

The exit status is not visible to ``atexit`` handlers, so, as W&B does,
``sys.exit`` is wrapped to note the status it is called with in the main
thread. A bare ``raise SystemExit(n)`` bypasses the wrapper and is recorded
as a normal exit.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import traceback
from typing import Any

from tidelog.errors import UsageError

__all__ = ["current", "activate", "forget", "Preinit"]

_lock = threading.RLock()
_current: Any = None
_hooks_installed = False
_failure: str = ""
_exit_status: Any = None      # what the main thread last passed to sys.exit()


class Preinit:
    """Stands in for ``tidelog.run/config/summary`` before ``init()``."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise UsageError(f"tidelog.{self._name}: call tidelog.init() first")

    __getitem__ = __setitem__ = __call__ = _fail

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._fail()

    def __setattr__(self, attr: str, value: Any) -> None:
        self._fail()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<tidelog.{self._name}: no run yet; call tidelog.init()>"


def current() -> Any:
    return _current


#: What ``tidelog.<name>`` gives for each name before ``init()`` and after ``finish()``.
CURRENT: dict[str, Any] = {"run": None, "config": Preinit("config"), "summary": Preinit("summary")}


def current_part(name: str) -> Any:
    """``tidelog.run`` / ``tidelog.config`` / ``tidelog.summary``: the current run's, else a stand-in."""
    run = _current
    if run is None:
        return CURRENT[name]
    return run if name == "run" else getattr(run, name)


def activate(run: Any) -> None:
    global _current
    with _lock:
        _current = run
        _install_hooks()


def forget(run: Any) -> None:
    global _current
    with _lock:
        if _current is run:
            _current = None


def _forked_child() -> None:
    """In a child made by ``os.fork()`` (a DataLoader worker, say), the run belongs to the parent.

    The child must neither write into the parent's ring (two producers would
    corrupt it) nor finish the parent's run at exit. Its ``log()`` calls are
    ignored with one warning; the parent's run goes on untouched.
    """
    run = _current
    if run is not None and hasattr(run, "_detach_after_fork"):
        run._detach_after_fork()


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    os.register_at_fork(after_in_child=_forked_child)
    previous = sys.excepthook

    def excepthook(etype, value, tb):
        global _failure
        _failure = "".join(traceback.format_exception(etype, value, tb))
        previous(etype, value, tb)

    sys.excepthook = excepthook
    sys.exit = _exit_wrapper(sys.exit)
    atexit.register(_at_exit)


def _exit_wrapper(original: Any) -> Any:
    def exit(status: Any = None) -> None:
        global _exit_status
        if threading.current_thread() is threading.main_thread():
            _exit_status = status
        original(status)

    exit.__doc__ = original.__doc__
    exit.__wrapped__ = original  # type: ignore[attr-defined]  # functools' convention, set by hand on a plain function
    return exit


def exit_outcome() -> tuple[int, str]:
    """(exit code, traceback or reason) of the script that is ending, as Python will report it."""
    if _failure:
        return 1, _failure
    status = _exit_status
    if status is None:
        return 0, ""
    if isinstance(status, int):  # bool included, as Python does
        code = int(status)
        return (code, "") if -2**31 <= code < 2**31 else (1, f"sys.exit({code})")
    return 1, f"sys.exit({status!r})"


def _at_exit() -> None:
    run = _current
    if run is None or getattr(run, "finished", True):
        return
    code, reason = exit_outcome()
    if getattr(run, "disabled", False) or code == 0:
        run.finish()
    else:
        run.finish(exit_code=code, _traceback=reason)
