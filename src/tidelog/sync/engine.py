"""``RunSync``: one run directory uploaded to one server, exactly once, resumable.

``step(ended)`` sends what is new: the media the server lacks (by hash),
then every intact WAL chunk holding records above the server's position, in
batches of at most ``batch_bytes``, each sent with ``after=<position>``; it
moves on only with the server's acknowledgement (durable). A 409 (the server
is elsewhere: another sync, a server restored from an older backup) moves the
position to the server's and re-reads the WAL from the start. With
``ended=True`` (the run's trainer and sender locks are free: nothing will be
appended), the WAL is read to its end under the reader's rules and the run's
end is stated when the WAL cannot say it (``Replica.end``): the damage
skipped, and ``crashed`` when there is no exit record.

``run()``: one pass (a still-running run syncs what it has, like a finished
one; it is not stated crashed, and the chunk being written is left for later).
``follow(poll_s)``: ``step`` every ``poll_s`` until the run has ended and
everything is sent. ``stop`` (a ``threading.Event``) ends ``follow`` early.

Exactly once: records are identified by seq and the server drops what it
holds; media by hash; the run's end is a state, set idempotently. So any
repetition, interruption or overlap converges on the local run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from tidelog.errors import ServerError
from tidelog.read.chunks import chunk_bytes
from tidelog.read.run import sender_alive, trainer_alive
from tidelog.sync import cursor
from tidelog.sync.replica import Replica
from tidelog.sync.source import MediaIndex, WalTail, damage_dict, identity
from tidelog.wal.format import list_segments
from tidelog.wal.reader import Damage

__all__ = ["RunSync", "SyncResult", "run_ended"]

_MAX_CONFLICTS = 20


def run_ended(run_dir: Path) -> bool:
    """Nothing will be appended: neither the trainer nor a sender holds the run."""
    return not trainer_alive(run_dir) and not sender_alive(run_dir)


@dataclass
class SyncResult:
    run_dir: Path
    project: str
    run_id: str
    acked_seq: int = 0
    local_seq: int = 0
    records: int = 0          # records the server stored from this sync
    requests: int = 0         # WAL posts
    bytes: int = 0            # WAL bytes sent
    files: int = 0            # media/files uploaded
    files_missing: int = 0    # media the server still lacks
    damage: list[dict] = field(default_factory=list)
    state: str = ""           # the run's state as stated/seen: finished, crashed, running, ...
    ended: bool = False


class RunSync:
    def __init__(self, replica: Replica, run_dir: str | Path, batch_bytes: int = 8 << 20, progress=None,
                 stop: threading.Event | None = None, write_cursor: bool = True) -> None:
        self.replica = replica
        self.run_dir = Path(run_dir)
        self.batch_bytes = batch_bytes
        self.progress = progress
        self.stop = stop or threading.Event()
        self.write_cursor = write_cursor
        self.base = identity(self.run_dir, fallback=False) or ("", "")   # a live run: known at its RunStart
        self.tail = WalTail(self.run_dir / "wal")
        hint = cursor.load(self.run_dir, replica.url) if write_cursor else {}
        self.media = MediaIndex(self.run_dir, hint.get("media_cache"))
        self._end_stated = hint.get("end_stated")   # [acked_seq, damage] of the last end stated
        self._hint = hint
        self._have_media: set[str] = set()          # hashes the server has (asked or uploaded)
        self.result = SyncResult(self.run_dir, *self.base)
        self.acked: int | None = None
        self._said: tuple | None = None   # what the cursor file says now

    # -- one pass ------------------------------------------------------------------

    def run(self) -> SyncResult:
        """One pass: what is on disk now (a running run's end is left for a later sync)."""
        return self.step(ended=run_ended(self.run_dir))

    def follow(self, poll_s: float = 0.25) -> SyncResult:
        while True:
            ended = run_ended(self.run_dir)   # before reading: all that was written is then on disk
            self.step(ended)
            if ended or self.stop.is_set():
                return self.result
            self.stop.wait(poll_s)

    def step(self, ended: bool) -> SyncResult:
        if not self.base[1]:
            found = identity(self.run_dir, fallback=ended)
            if found is None:
                return self.result    # the RunStart is not written yet: nothing to name the run by
            self.base = found
            self.result.project, self.result.run_id = found
        project, run_id = self.base
        if self.acked is None:
            self.acked = self.replica.position(project, run_id)
            self.result.acked_seq = self.acked
        self._send_media()
        skip_wal = ended and self._unchanged_since_complete()
        if skip_wal:
            self.result.local_seq = self.acked
            self.tail.damage = [Damage(**d) for d in self._hint.get("damage", [])]
        for _ in range(_MAX_CONFLICTS):
            try:
                if not skip_wal:
                    self._send_wal(ended)
                self._send_media()
                self.result.acked_seq = self.acked
                self.result.damage = [damage_dict(d) for d in self.tail.damage]
                if ended:
                    self._state_end()
                break
            except ServerError as err:
                if err.status != 409 or "acked_seq" not in err.body:
                    raise
                self.acked = int(err.body["acked_seq"])   # the server is the truth: resume from it
                self.tail.reset()
                skip_wal = False
        else:
            raise ServerError(f"{self.replica.url}: the run's position kept moving under {_MAX_CONFLICTS} syncs",
                              status=409)
        self.result.ended = ended
        self.save_cursor(complete=ended)
        return self.result

    # -- the WAL -------------------------------------------------------------------

    def _position(self) -> int:
        """The server's position, which ``step`` asks for before it sends anything."""
        if self.acked is None:
            raise RuntimeError("RunSync: nothing is sent before step() has asked the server for its position")
        return self.acked

    def _wal_signature(self) -> list:
        return [[p.name, st.st_size, st.st_mtime_ns] for _i, p in list_segments(self.run_dir / "wal")
                for st in [p.stat()]]

    def _unchanged_since_complete(self) -> bool:
        """The last sync to this server completed at the position the server still reports, and the WAL's
        files are as they were then: there is nothing to read (a re-sync of a finished run is two requests)."""
        h = self._hint
        return (bool(h.get("complete")) and h.get("acked_seq") == self.acked == h.get("local_seq")
                and h.get("wal") == self._wal_signature())

    def _send_wal(self, ended: bool) -> None:
        pending: list[bytes] = []
        size = records = 0
        high = self._position()  # the highest seq sent or pending
        for chunk in self.tail.poll(ended):
            h = chunk.header
            self.result.local_seq = max(self.result.local_seq, h.last_seq)
            if not h.first_seq or h.last_seq <= high:   # stored already, or re-written by a restarted sender
                self._tick(chunk.end - chunk.offset, 0)
                continue
            high = h.last_seq
            data = chunk_bytes(chunk)
            if size and size + len(data) > self.batch_bytes:
                self._flush(pending, size, records)
                pending, size, records = [], 0, 0
            pending.append(data)
            size += len(data)
            records += h.record_count
        self._flush(pending, size, records)

    def _flush(self, pending: list[bytes], size: int, records: int) -> None:
        if not pending:
            return
        project, run_id = self.base
        body = b"".join(pending)
        ack = self.replica.write(project, run_id, self._position(), body)
        self.acked = ack.acked_seq
        self.result.acked_seq = ack.acked_seq
        self.result.records += ack.stored
        self.result.requests += 1
        self.result.bytes += size
        self._tick(size, ack.stored)
        if self.write_cursor and self.result.requests % 16 == 0:
            self.save_cursor(complete=False)

    def _tick(self, nbytes: int, records: int) -> None:
        if self.progress is not None:
            self.progress(nbytes, records)

    # -- media ---------------------------------------------------------------------

    def _send_media(self) -> None:
        present = self.media.scan()
        new = sorted(present - self._have_media)
        if not new:
            self.result.files_missing = 0
            return
        missing = set(self.replica.missing(new))
        self._have_media.update(h for h in new if h not in missing)
        for sha in sorted(missing):
            self.replica.put_media(sha, self.media.by_hash[sha].read_bytes())
            self._have_media.add(sha)
            self.result.files += 1
        self.result.files_missing = 0

    # -- the run's end -------------------------------------------------------------

    def _state_end(self) -> None:
        """State what the WAL cannot: damage skipped, a crash without an exit record."""
        project, run_id = self.base
        damage = self.result.damage
        if self._end_stated == [self.acked, damage]:
            self.result.state = self.result.state or "stated"
            return
        info = self.replica.run_info(project, run_id)
        if info is None:    # nothing uploaded (an empty WAL): nothing to state
            self.result.state = "empty"
            return
        state = "crashed" if info.get("state") == "running" else None
        if state is None and info.get("damage", []) == damage:
            self.result.state = info.get("state", "")
        else:
            self.replica.end(project, run_id, self._position(), state, damage)
            self.result.state = state or info.get("state", "")
        self._end_stated = [self.acked, damage]

    def save_cursor(self, complete: bool) -> None:
        """Write the cursor when what it says changed (a follow steps several times a second)."""
        if not self.write_cursor:
            return
        said = (self.acked, self.result.local_seq, self.result.files_missing, complete, len(self.media.cache),
                len(self.result.damage), self._end_stated)
        if said == self._said:
            return
        self._said = said
        cursor.save(self.run_dir, self.replica.url, {
            "project": self.base[0], "run_id": self.base[1], "acked_seq": self.acked or 0,
            "local_seq": self.result.local_seq, "media_missing": self.result.files_missing,
            "complete": complete and self.acked is not None and self.acked >= self.result.local_seq,
            "damage": self.result.damage, "end_stated": self._end_stated, "media_cache": self.media.cache,
            "wal": self._wal_signature()})
