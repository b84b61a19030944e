"""``termlog`` / ``termwarn`` / ``termerror``: W&B's one-line terminal messages.

They print ``tidelog: <message>`` (``tidelog: WARNING ...``, ``tidelog: ERROR
...``) to standard error, as W&B prints ``wandb: ...``. ``repeat=False``
prints a given message once per process. ``silent=True`` or
``TIDELOG_SILENT`` / ``WANDB_SILENT`` set to a true value prints nothing.
"""

from __future__ import annotations

import sys
import threading

__all__ = ["termlog", "termwarn", "termerror"]

_seen: set[str] = set()
_lock = threading.Lock()


def _silent() -> bool:
    from tidelog import settings

    return settings.silent()


def _emit(prefix: str, string: str, newline: bool, repeat: bool, silent: bool) -> None:
    if silent or _silent():
        return
    text = str(string)
    if not repeat:
        with _lock:
            if text in _seen:
                return
            _seen.add(text)
    lines = text.split("\n") if text else [""]
    out = "\n".join(f"tidelog: {prefix}{line}" for line in lines)
    sys.stderr.write(out + ("\n" if newline else ""))
    sys.stderr.flush()


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True,
            silent: bool = False) -> None:
    _emit("", string, newline, repeat, silent)


def termwarn(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True,
             silent: bool = False) -> None:
    _emit("WARNING ", string, newline, repeat, silent)


def termerror(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True,
              silent: bool = False) -> None:
    _emit("ERROR ", string, newline, repeat, silent)
