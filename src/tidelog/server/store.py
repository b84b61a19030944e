"""The object store: history blocks, streams and media, on local files or S3.

One interface over obstore (``file://`` directories and ``s3://bucket/prefix``):
``put`` (durable when it returns: a local file is fsynced with its directory,
an S3 PUT is durable when answered), ``get``, ``get_ranges`` (one request per
range, the columns a query needs out of a block) and ``size`` (None when
absent). Object names are made by the server (``runs/<uid>/...``,
``media/<sha256>``), never taken from a request. Errors of the store are
translated into ``StoreUnavailable`` (the API answers 503).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import LocalStore, S3Store

from tidelog.wal.writer import fsync_path

__all__ = ["ObjectStore", "StoreUnavailable", "open_store"]


class StoreUnavailable(Exception):
    """The object store could not be reached or refused an operation."""


class ObjectStore:
    def __init__(self, store, kind: str, local_root: Path | None = None) -> None:
        self._store = store
        self.kind = kind  # "file" | "s3"
        self._root = local_root

    def put(self, path: str, data: bytes) -> None:
        try:
            obstore.put(self._store, path, data)
        except Exception as err:  # obstore raises many kinds; all mean the same to the caller
            raise StoreUnavailable(f"object store refused PUT {path}: {err}") from err
        if self._root is not None:
            _fsync_path(self._root / path)

    def get(self, path: str) -> bytes:
        try:
            return bytes(obstore.get(self._store, path).bytes())
        except NotFoundError:
            raise FileNotFoundError(path) from None
        except Exception as err:
            raise StoreUnavailable(f"object store refused GET {path}: {err}") from err

    def get_ranges(self, path: str, ranges: list[tuple[int, int]]) -> list[bytes]:
        """The bytes of each ``(offset, length)`` of ``path``."""
        if not ranges:
            return []
        try:
            out = obstore.get_ranges(self._store, path, starts=[r[0] for r in ranges],
                                     lengths=[r[1] for r in ranges])
        except NotFoundError:
            raise FileNotFoundError(path) from None
        except Exception as err:
            raise StoreUnavailable(f"object store refused GET {path}: {err}") from err
        return [bytes(b) for b in out]

    def size(self, path: str) -> int | None:
        try:
            return int(obstore.head(self._store, path)["size"])
        except NotFoundError:
            return None
        except FileNotFoundError:
            return None
        except Exception as err:
            raise StoreUnavailable(f"object store refused HEAD {path}: {err}") from err


def _fsync_path(path: Path) -> None:
    """The object file and its directory entry, durable."""
    fsync_path(path)
    fsync_path(path.parent)


def open_store(url: str) -> ObjectStore:
    """``file:///DIR`` (or a plain directory path) or ``s3://bucket[/prefix]``.

    S3 endpoint and credentials come from the standard variables
    (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
    ``AWS_DEFAULT_REGION``); path-style addressing; plain http allowed for a
    local endpoint.
    """
    if url.startswith("s3://"):
        rest = url[5:]
        bucket, _, prefix = rest.partition("/")
        if len(bucket) < 3:
            raise ValueError(f"--store {url!r}: the bucket name must be at least 3 characters")
        config: dict[str, Any] = {"virtual_hosted_style_request": False}
        from tidelog import settings

        endpoint = settings.s3_endpoint()
        if endpoint:
            config["endpoint"] = endpoint
        config["region"] = settings.s3_region()
        store = S3Store(bucket, prefix=prefix.strip("/") or None, config=config,  # type: ignore[arg-type]  # keys of S3Config
                        client_options={"allow_http": True})
        return ObjectStore(store, "s3")
    if url.startswith("file://"):
        url = url[7:]
    if "://" in url:
        raise ValueError(f"--store {url!r}: expected a directory, file:///DIR or s3://bucket/prefix")
    root = Path(url).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    return ObjectStore(LocalStore(root, mkdir=True), "file", local_root=root)
