"""API keys: created by ``tidelog server keys create``, stored hashed.

A key is ``tl_`` + 40 random URL-safe characters; the database keeps its
SHA-256 (a key is a random secret, not a password, so a fast hash is right)
and an 8-character prefix to tell keys apart. Until the first key exists the
server is open; then every write needs ``Authorization: Bearer <key>``, and
every read too with ``--auth-reads``. Comparison is by the hash's unique
index, never by a loop over keys.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import sqlalchemy as sa

from tidelog.server.errors import ApiError
from tidelog.server.schema import api_keys

__all__ = ["create_key", "keys_exist", "check_request"]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(engine: sa.Engine, name: str = "") -> str:
    key = "tl_" + secrets.token_urlsafe(30)
    with engine.begin() as conn:
        conn.execute(sa.insert(api_keys).values(name=name, prefix=key[:8], hash=_hash(key), created_at=time.time()))
    return key


def keys_exist(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(api_keys.c.id).limit(1)).first() is not None


def check_request(conn: sa.Connection, authorization: str | None, write: bool, auth_reads: bool) -> None:
    """Raise ApiError(401) unless the request may go on."""
    if not write and not auth_reads:
        return
    if not keys_exist(conn):
        return
    if not authorization:
        raise ApiError(401, "this server needs an API key: send 'Authorization: Bearer <key>'")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "the Authorization header must be 'Bearer <key>'")
    found = conn.execute(sa.select(api_keys.c.id).where(api_keys.c.hash == _hash(key.strip()))).first()
    if found is None:
        raise ApiError(401, "the API key is not valid on this server")
