"""Uploading a run directory to a server in one call: ``upload_run(client, run_dir)``.

A thin entry to the one upload path, ``tidelog.sync.engine.RunSync``: the
server's position first (``acked_seq``), every intact chunk above it in
batches acknowledged by seq, media the server lacks by hash, and the run's
end stated when the WAL cannot say it (crashed without an exit record,
damage). No retries here (``tidelog.sync.retry.Retrying`` adds them); no
cursor file is written unless ``write_cursor``. Repeating it sends nothing new.
"""

from __future__ import annotations

from pathlib import Path

from tidelog.remote.http import ServerClient
from tidelog.sync.engine import RunSync, SyncResult
from tidelog.sync.replica import HttpReplica

__all__ = ["UploadResult", "upload_run"]

UploadResult = SyncResult


def upload_run(client: ServerClient, run_dir: str | Path, batch_bytes: int = 8 << 20,
               write_cursor: bool = False) -> SyncResult:
    return RunSync(HttpReplica(client), run_dir, batch_bytes=batch_bytes, write_cursor=write_cursor).run()
