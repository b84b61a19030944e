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

__all__ = ["warn"]

_PACKAGE = str(Path(__file__).resolve().parent)


def warn(message: str) -> None:
    level = 2  # stacklevel 2: the caller of warn()
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, TidelogWarning, stacklevel=level)
