"""``Retrying(replica)``: the ``Replica`` interface, retried the way restic retries a backend.

A transient failure (``replica.is_transient``: no answer, a timeout, a cut
connection, 5xx, 408, 429) is retried after an exponential backoff with full
jitter (``base * 2**n``, capped at ``cap``, times a random factor in
[0.5, 1]) until ``give_up_after`` seconds have passed since the first failure
of that call; then the last error goes up. Anything else (a 4xx: the
server's refusal, with its message) goes up at once. Every method of the
interface is idempotent (see ``replica``), so a retry after an answer that
was lost on the way is safe. ``on_retry(err, delay)`` is told about each retry.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from tidelog.errors import ServerError
from tidelog.sync.replica import Ack, Replica, is_transient

__all__ = ["Retrying"]


class Retrying:
    def __init__(self, inner: Replica, give_up_after: float = 300.0, base: float = 0.1, cap: float = 10.0,
                 on_retry: Callable[[ServerError, float], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.inner = inner
        self.url = inner.url
        self.give_up_after = give_up_after
        self.base, self.cap = base, cap
        self.on_retry = on_retry
        self.retries = 0
        self._sleep = sleep

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        first_failure: float | None = None
        attempt = 0
        while True:
            try:
                return fn(*args)
            except ServerError as err:
                if not is_transient(err):
                    raise
                now = time.monotonic()
                first_failure = first_failure or now
                if now - first_failure >= self.give_up_after:
                    raise
                delay = min(self.cap, self.base * 2 ** attempt) * random.uniform(0.5, 1.0)  # noqa: S311  retry jitter
                attempt += 1
                self.retries += 1
                if self.on_retry is not None:
                    self.on_retry(err, delay)
                self._sleep(delay)

    def position(self, project: str, run_id: str) -> int:
        return self._call(self.inner.position, project, run_id)

    def write(self, project: str, run_id: str, after: int, body: bytes) -> Ack:
        return self._call(self.inner.write, project, run_id, after, body)

    def missing(self, hashes: list[str]) -> list[str]:
        return self._call(self.inner.missing, hashes)

    def put_media(self, sha256: str, data: bytes) -> None:
        return self._call(self.inner.put_media, sha256, data)

    def run_info(self, project: str, run_id: str) -> dict | None:
        return self._call(self.inner.run_info, project, run_id)

    def end(self, project: str, run_id: str, acked_seq: int, state: str | None, damage: list[dict]) -> None:
        return self._call(self.inner.end, project, run_id, acked_seq, state, damage)
