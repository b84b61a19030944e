"""Uploading a run directory to a server: its WAL, then its files by hash.

``upload_run(client, run_dir)`` asks the server where the run stands
(``acked_seq``), sends every intact chunk holding records above it, in
batches of at most ``batch_bytes``, each with ``after=<acked>``, and moves
on only with the server's acknowledgement; then it uploads the media and
saved files the server lacks (``POST /media/missing``, ``PUT /media/<sha>``).
Repeating it sends nothing new. The building block of ``tidelog sync``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tidelog.read.chunks import chunk_bytes
from tidelog.read.run import RunState
from tidelog.remote.http import ServerClient
from tidelog.wal.reader import WalReader

__all__ = ["UploadResult", "upload_run", "upload_files"]

WAL_TYPE = {"Content-Type": "application/x-tidelog-wal"}


@dataclass
class UploadResult:
    project: str
    run_id: str
    acked_seq: int
    records: int = 0
    requests: int = 0
    bytes: int = 0
    files: int = 0


def upload_run(client: ServerClient, run_dir: str | Path, batch_bytes: int = 8 << 20) -> UploadResult:
    run_dir = Path(run_dir)
    state = RunState.load(run_dir)
    project = state.project or "uncategorized"
    run_id = state.run_id or run_dir.name.rsplit("-", 1)[-1]
    base = f"/runs/{project}/{run_id}/wal"
    acked = client.get(base).json()["acked_seq"]
    res = UploadResult(project, run_id, acked)
    pending: list[bytes] = []
    size = 0

    def flush() -> None:
        nonlocal acked, pending, size
        if not pending:
            return
        body = b"".join(pending)
        answer = client.post(base, params={"after": acked}, content=body, headers=WAL_TYPE).json()
        res.records += answer["stored"]
        res.requests += 1
        res.bytes += len(body)
        acked = answer["acked_seq"]
        pending, size = [], 0

    for chunk in WalReader(run_dir / "wal").chunks():
        if chunk.header.last_seq <= acked:
            continue
        data = chunk_bytes(chunk)
        if size and size + len(data) > batch_bytes:
            flush()
        pending.append(data)
        size += len(data)
    flush()
    res.acked_seq = acked
    res.files = upload_files(client, run_dir)
    return res


def _local_files(run_dir: Path) -> dict[str, Path]:
    """sha256 -> path of every media and saved file of the run."""
    out: dict[str, Path] = {}
    for sub in ("media", "files"):
        root = run_dir / sub
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                out[hashlib.sha256(path.read_bytes()).hexdigest()] = path
    return out


def upload_files(client: ServerClient, run_dir: Path) -> int:
    files = _local_files(Path(run_dir))
    if not files:
        return 0
    hashes = list(files)
    missing: list[str] = []
    for i in range(0, len(hashes), 10_000):
        missing += client.post("/media/missing", json={"hashes": hashes[i:i + 10_000]}).json()["missing"]
    for sha in missing:
        client.put(f"/media/{sha}", content=files[sha].read_bytes(),
                   headers={"Content-Type": "application/octet-stream"})
    return len(missing)
