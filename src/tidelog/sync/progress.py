"""The progress bar of ``tidelog sync``: bytes of WAL read and records stored, per run (tqdm).

``bar(desc, total, enabled)`` returns a callable ``tick(nbytes, records)``
and a ``close()``; disabled (``--no-progress``, or stderr is not a
terminal), it does nothing. tqdm is the ``sync`` extra's; only ``tidelog
sync`` imports this module.
"""

from __future__ import annotations

import sys

__all__ = ["Bar", "bar"]


class Bar:
    def __init__(self, desc: str, total: int, enabled: bool) -> None:
        self.records = 0
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                             leave=False, file=sys.stderr, dynamic_ncols=True)

    def __call__(self, nbytes: int, records: int) -> None:
        self.records += records
        if self._bar is not None:
            if self._bar.n + nbytes > (self._bar.total or 0):
                self._bar.total = self._bar.n + nbytes   # a live run grew
            self._bar.update(nbytes)
            if records:
                self._bar.set_postfix(records=f"{self.records:,}", refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def bar(desc: str, total: int, enabled: bool) -> Bar:
    return Bar(desc, total, enabled and sys.stderr.isatty())
