"""tidelog's user-facing warnings, attributed to the user's line.

``warn(message)`` issues a ``TidelogWarning`` whose location is the first
stack frame outside the tidelog package — the user's ``log()`` call, not
whichever internal function noticed the problem — whatever path led there
(``tidelog.log`` or ``run.log``, the fast or the slow path).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import FrameType

from tidelog.errors import TidelogWarning

__all__ = ["warn", "warn_from_thread"]

_PACKAGE = str(Path(__file__).resolve().parent)


def warn(message: str) -> None:
    level = 2  # stacklevel 2: the caller of warn()
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, TidelogWarning, stacklevel=level)


def warn_from_thread(message: str) -> None:
    """``warn`` for tidelog's own threads (the sender's watchdog): located at the user's current line.

    A background thread's stack holds only ``threading`` and tidelog frames, so
    the warning is attributed to the main thread instead: to the user's call
    into tidelog if it is inside one (``finish()``, ``log()``), else to the line
    the script is running (standard-library frames skipped). It never raises
    into the calling thread.
    """
    import threading

    main = threading.main_thread()
    if threading.current_thread() is main:
        warn(message)
        return
    filename, lineno, module, registry = _main_thread_location(main)
    try:
        warnings.warn_explicit(message, TidelogWarning, filename, lineno, module=module, registry=registry)
    except Warning as as_error:
        # Warnings turned into errors (-W error): raising in tidelog's thread would only stop
        # that thread, so the message is printed instead.
        print(f"{filename}:{lineno}: {type(as_error).__name__}: {message}", file=sys.stderr, flush=True)


def _main_thread_location(main) -> tuple[str, int, str, dict]:
    """(file, line, module, warning registry) to attribute a background warning to."""
    import sysconfig

    frame = sys._current_frames().get(main.ident) if main.is_alive() else None
    stack = []
    while frame is not None:
        stack.append(frame)
        frame = frame.f_back
    ours = [i for i, f in enumerate(stack) if f.f_code.co_filename.startswith(_PACKAGE)]
    outside = stack[ours[-1] + 1:] if ours else stack
    stdlib = sysconfig.get_paths()["stdlib"]
    for f in outside:
        name = f.f_code.co_filename
        if not name.startswith(stdlib) or "site-packages" in name or f is outside[-1]:
            return name, f.f_lineno, f.f_globals.get("__name__", "__main__"), \
                f.f_globals.setdefault("__warningregistry__", {})
    # The script has ended (an interpreter-exit finish()): its file, no line.
    main_module = sys.modules.get("__main__")
    return getattr(main_module, "__file__", None) or "<main>", 0, "__main__", {}
