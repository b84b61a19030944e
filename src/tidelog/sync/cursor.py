"""The cursor: ``<run dir>/sync/<server-id>.json``, one per target server.

It records what the last sync of this run to that server saw: the server's
acknowledged seq, the local WAL's last seq and its files (name, size,
mtime), media still missing there (and the media hash cache), and whether
the run's end was stated. It is a hint and a report (``tidelog ls``
shows it), never the truth: every sync starts from the server's own
position (``GET .../wal``). Written atomically (temp file + rename), so two
syncs at once leave one whole cursor.

``server_id(url)``: the file name for a server (host, port and path).
``sync_states(run_dir, local_last_seq)``: what ``tidelog ls`` shows, per target:
``never`` (no cursor), ``partial`` (records or files left) or ``synced``.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["load", "save", "server_id", "sync_states"]


def server_id(url: str) -> str:
    parts = urlsplit(url if "://" in url else "http://" + url)
    raw = (parts.netloc + parts.path.rstrip("/")) or "server"
    return re.sub(r"[^A-Za-z0-9.\-]+", "_", raw).strip("_")


def _path(run_dir: Path, url: str) -> Path:
    return Path(run_dir) / "sync" / f"{server_id(url)}.json"


def load(run_dir: Path, url: str) -> dict:
    try:
        data = json.loads(_path(run_dir, url).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(run_dir: Path, url: str, data: dict) -> None:
    path = _path(run_dir, url)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({**data, "server": url, "updated": time.time()}))
    os.replace(tmp, path)


def sync_states(run_dir: Path, local_last_seq: int) -> list[dict]:
    """One entry per target server this run was synced to (none: never synced)."""
    out = []
    sync_dir = Path(run_dir) / "sync"
    for path in sorted(sync_dir.glob("*.json")) if sync_dir.is_dir() else []:
        try:
            c = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        records_left = max(0, local_last_seq - int(c.get("acked_seq", 0)))
        files_left = int(c.get("media_missing", 0))
        done = not records_left and not files_left and c.get("complete", False)
        out.append({"target": path.stem, "server": c.get("server", ""), "state": "synced" if done else "partial",
                    "seqs_left": records_left, "files_left": files_left})
    return out
