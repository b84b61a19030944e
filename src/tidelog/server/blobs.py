"""Content-addressed media: ``media/<sha256>`` objects, shared by every run.

``put`` hashes the body and refuses a mismatch; a hash already recorded is
not written again. The ``media`` table records a blob only after its object
is durably put, so a hash the table lists is always readable.
``file_headers`` gives the headers a run's file is served with: its type by
extension, ``nosniff``, and for HTML a CSP sandbox (scripts run, but in an
opaque origin, never the server's).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import time

import sqlalchemy as sa

from tidelog.server import db
from tidelog.server.errors import ApiError
from tidelog.server.schema import media

__all__ = ["check_hash", "put", "stored_size", "missing", "object_name", "file_headers", "check_path"]

_HEX = re.compile(r"^[0-9a-f]{64}$")
_TYPES = {".wav": "audio/wav", ".mp4": "video/mp4", ".webm": "video/webm", ".ogg": "video/ogg", ".gif": "image/gif",
          ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".json": "application/json",
          ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".obj": "text/plain; charset=utf-8", ".glb": "model/gltf-binary", ".gltf": "model/gltf+json",
          ".pdb": "text/plain; charset=utf-8", ".svg": "image/svg+xml"}


def check_hash(sha: str) -> str:
    if not _HEX.match(sha):
        raise ApiError(400, f"{sha[:80]!r} is not a sha256 (64 lowercase hex digits)")
    return sha


def object_name(sha: str) -> str:
    return f"media/{sha[:2]}/{sha}"


def stored_size(conn: sa.Connection, sha: str) -> int | None:
    return conn.execute(sa.select(media.c.size).where(media.c.sha256 == sha)).scalar()


def put(ctx, sha: str, body: bytes) -> dict:
    check_hash(sha)
    got = hashlib.sha256(body).hexdigest()
    if got != sha:
        raise ApiError(400, f"the body's sha256 is {got}, not {sha}: nothing stored")
    with ctx.engine.connect() as conn:
        if stored_size(conn, sha) is not None:
            return {"sha256": sha, "size": len(body), "created": False}
    ctx.store.put(object_name(sha), body)
    with ctx.engine.begin() as conn:
        conn.execute(db.insert(conn, media).values(sha256=sha, size=len(body), created_at=time.time())
                     .on_conflict_do_nothing(index_elements=["sha256"]))
    return {"sha256": sha, "size": len(body), "created": True}


def missing(conn: sa.Connection, hashes: list) -> list[str]:
    for h in hashes:
        if not isinstance(h, str):
            raise ApiError(400, f"hashes: {h!r} is not a string")
        check_hash(h)
    have: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        have.update(conn.execute(sa.select(media.c.sha256).where(media.c.sha256.in_(chunk))).scalars())
    return [h for h in dict.fromkeys(hashes) if h not in have]


def check_path(path: str) -> str:
    parts = path.split("/")
    if (not path or path.startswith("/") or "\\" in path or "\0" in path
            or any(p in ("", ".", "..") for p in parts)):
        raise ApiError(400, f"file path {path[:200]!r} is not a plain relative path")
    return path


def file_headers(path: str) -> dict[str, str]:
    ext = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    ctype = _TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    headers = {"Content-Type": ctype, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "private, max-age=3600"}
    if ctype.startswith("text/html") or ctype.startswith("image/svg"):
        headers["Content-Security-Policy"] = "sandbox allow-scripts"
    return headers
