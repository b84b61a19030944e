"""The one interface ``tidelog sync`` talks to a server through (litestream's ReplicaClient).

``Replica`` names the operations; ``HttpReplica`` is them over
``docs/server-api.md``. Every method raises ``tidelog.errors.ServerError``:
``status`` 0 (no answer: connection refused or cut, timeout) or >= 500 is
*transient* (``is_transient``; ``retry.Retrying`` retries it), any other
status is the server refusing and is final for the run.

Contract per method:

* ``position(project, run_id) -> int``: the highest seq the server has stored
  durably for the run, 0 for a run it never saw. Reads only.
* ``write(project, run_id, after, body) -> Ack``: ``body`` is whole WAL
  chunks in WAL order; ``after`` the position the client believes. Returns
  only once the records are durable. Idempotent: records at or below the
  server's position are dropped, so repeating a write (a lost answer, a
  concurrent sync) changes nothing. ``Conflict`` (a ``ServerError`` with
  status 409 and the server's ``acked_seq``) when ``after`` is not the
  server's position in a way that matters: the client resumes from there.
* ``missing(hashes) -> list[str]``: the sha256s the server lacks. Reads only.
* ``put_media(sha256, data)``: stores the bytes; idempotent (a hash already
  stored is not rewritten); the server checks the hash.
* ``run_info(project, run_id) -> dict | None``: the run's detail (state,
  damage), None when the server has no such run. Reads only.
* ``end(project, run_id, acked_seq, state, damage)``: the client states what
  its WAL cannot say: it ends at ``acked_seq``, the run crashed without an
  exit record (``state="crashed"``, or None) and which bytes of it are damaged.
  Idempotent; 409 when the server's position is not ``acked_seq``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tidelog.errors import ServerError
from tidelog.remote.http import ServerClient

__all__ = ["WAL_TYPE", "Ack", "HttpReplica", "Replica", "is_transient"]

WAL_TYPE = {"Content-Type": "application/x-tidelog-wal"}


@dataclass(frozen=True)
class Ack:
    acked_seq: int
    stored: int
    duplicates: int


def is_transient(err: ServerError) -> bool:
    """No answer, a timeout, or a server error: worth retrying. 4xx: never."""
    return err.status == 0 or err.status >= 500 or err.status in (408, 429)


class Replica(Protocol):
    url: str

    def position(self, project: str, run_id: str) -> int: ...
    def write(self, project: str, run_id: str, after: int, body: bytes) -> Ack: ...
    def missing(self, hashes: list[str]) -> list[str]: ...
    def put_media(self, sha256: str, data: bytes) -> None: ...
    def run_info(self, project: str, run_id: str) -> dict | None: ...
    def end(self, project: str, run_id: str, acked_seq: int, state: str | None, damage: list[dict]) -> None: ...


class HttpReplica:
    """``Replica`` over HTTP (``ServerClient``: one connection pool, errors translated)."""

    def __init__(self, client: ServerClient) -> None:
        self.client = client
        self.url = client.url

    def position(self, project: str, run_id: str) -> int:
        return int(self.client.get(f"/runs/{project}/{run_id}/wal").json()["acked_seq"])

    def write(self, project: str, run_id: str, after: int, body: bytes) -> Ack:
        a = self.client.post(f"/runs/{project}/{run_id}/wal", params={"after": after}, content=body,
                             headers=WAL_TYPE).json()
        return Ack(int(a["acked_seq"]), int(a["stored"]), int(a["duplicates"]))

    def missing(self, hashes: list[str]) -> list[str]:
        out: list[str] = []
        for i in range(0, len(hashes), 10_000):
            out += self.client.post("/media/missing", json={"hashes": hashes[i:i + 10_000]}).json()["missing"]
        return out

    def put_media(self, sha256: str, data: bytes) -> None:
        self.client.put(f"/media/{sha256}", content=data, headers={"Content-Type": "application/octet-stream"})

    def run_info(self, project: str, run_id: str) -> dict | None:
        try:
            return self.client.get(f"/runs/{project}/{run_id}").json()
        except ServerError as err:
            if err.status == 404:
                return None
            raise

    def end(self, project: str, run_id: str, acked_seq: int, state: str | None, damage: list[dict]) -> None:
        self.client.put(f"/runs/{project}/{run_id}/wal/end",
                        json={"acked_seq": acked_seq, "state": state, "damage": damage})
