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

from tidelog.errors import TidelogWarning

__all__ = ["warn", "warn_from_thread"]

_PACKAGE = str(Path(__file__).resolve().parent)


def warn(message: str) -> None:
    level = 2  # stacklevel 2: the caller of warn()
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, TidelogWarning, stacklevel=level)


def warn_from_thread(message: str) -> None:
    """``warn`` for tidelog's own threads (the sender's watchdog): located at the user's current line.

    A background thread's stack holds only ``threading`` and tidelog frames, so
    the warning is attributed to the main thread's innermost frame outside
    tidelog: the line the training script is running when the problem is seen.
    It never raises into the calling thread.
    """
    import threading

    main = threading.main_thread()
    frame = sys._current_frames().get(main.ident) if main.is_alive() else None
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None or threading.current_thread() is main:
        warn(message)
        return
    try:
        warnings.warn_explicit(message, TidelogWarning, frame.f_code.co_filename, frame.f_lineno,
                               module=frame.f_globals.get("__name__"),
                               registry=frame.f_globals.setdefault("__warningregistry__", {}))
    except Warning as as_error:
        # Warnings turned into errors (-W error): raising in tidelog's thread would only stop
        # that thread, so the message is printed instead.
        print(f"{frame.f_code.co_filename}:{frame.f_lineno}: {type(as_error).__name__}: {message}",
              file=sys.stderr, flush=True)
