"""Server settings and their documented defaults (docs/server.md, "Limits")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ServerSettings", "default_root"]


def default_root() -> Path:
    """``$TIDELOG_SERVER_ROOT``, else ``$XDG_DATA_HOME/tidelog/server`` (``~/.local/share/...``)."""
    from tidelog import settings

    return settings.server_root()


@dataclass(frozen=True)
class ServerSettings:
    database: str  # sqlite:///PATH or postgresql://...
    store: str  # a directory, file:///DIR or s3://bucket/prefix
    auth_reads: bool = False
    max_wal_body: int = 64 << 20  # bytes in one ingest request
    max_media_body: int = 1 << 30  # bytes in one media upload
    max_json_body: int = 1 << 20  # bytes of a JSON request body
    max_keys_per_run: int = 10_000
    max_key_len: int = 256
    max_page_rows: int = 10_000
    max_buckets: int = 5_000
    max_runs_page: int = 1_000

    @classmethod
    def for_root(cls, root: str | os.PathLike, database: str | None = None, store: str | None = None,
                 **kw) -> ServerSettings:
        """The embedded default: ``ROOT/tidelog.db`` and ``ROOT/objects``, unless given."""
        root = Path(root).expanduser().resolve()
        if database is None or store is None:
            root.mkdir(parents=True, exist_ok=True)
        return cls(database=database or f"sqlite:///{root / 'tidelog.db'}",
                   store=store or str(root / "objects"), **kw)
