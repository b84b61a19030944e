"""The contract between a rich value in ``log()`` and its encoded file.

Training side (must be cheap; never encodes)::

    value ──to_loggable(key, value)──►  plain JSON-able value   (bare small arrays -> number / list)
                                     │  Prepared(kind, meta, arrays)
                                     └  NOT_MEDIA                (not ours: the pipeline handles it)

Values are captured when a data type is *constructed*, as W&B does (it
encodes in the constructor): ``Image(buf)`` takes a snapshot of ``buf``
(``files.snapshot``: one copy, owned and read-only), so mutating ``buf``
afterwards changes nothing logged. A ``Prepared`` holds references to those
snapshots (or, for a bare array in ``log()``, to the caller's array, whose
values at ``log()`` are the ones W&B stores); the pipeline copies them into
the transport (shared memory, or the spill file) before ``log()`` returns,
with no further copy. ``meta`` is small JSON-able data (captions, class
labels, box data...).

Sender side::

    encode(kind, meta, arrays, run_dir) -> dict   # W&B-style {"_type": ...}

Encoders write content-addressed files under ``run_dir/media/`` (same bytes,
same file) and return the value stored in the history row. They are pure
functions of their input, so a respawned sender that encodes a value twice
writes the same file and returns the same dict.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Media",
    "Prepared",
    "NOT_MEDIA",
    "register_encoder",
    "encode",
    "write_content_addressed",
    "pack_items",
    "unpack_items",
]


@dataclass
class Prepared:
    """A rich value ready to cross to the sender (see module docstring)."""

    kind: str
    meta: dict[str, Any] = field(default_factory=dict)
    arrays: list[Any] = field(default_factory=list)  # numpy arrays (or bytes), not yet copied


class _NotMedia:
    def __repr__(self) -> str:
        return "NOT_MEDIA"


NOT_MEDIA: Any = _NotMedia()


class Media:
    """Base class of every data type users construct (Image, Audio, Table, ...).

    Subclasses validate their constructor arguments eagerly (a clear error
    names what was wrong) and implement ``_prepare(key)``, called by ``log()``
    with the key it is logged under, so errors can name the key.
    """

    def _prepare(self, key: str) -> Prepared:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def _prepare_list(cls, key: str, items: list) -> Prepared | None:
        """A list of this type under ``key`` when the type's list has a value of its own;
        ``None`` (the default): the generic list of ``tidelog.media.listing``."""
        return None


def pack_items(preps: Sequence[Prepared | None]) -> tuple[list[dict | None], list]:
    """Nest ``Prepared`` values in one (a list, a table's cells): per-item ``{"kind", "meta", "n"}``
    and one flat array list, ``n`` being how many of the arrays belong to that item, in order."""
    metas: list[dict | None] = []
    arrays: list = []
    for prep in preps:
        if prep is None:
            metas.append(None)
            continue
        metas.append({"kind": prep.kind, "meta": prep.meta, "n": len(prep.arrays)})
        arrays.extend(prep.arrays)
    return metas, arrays


# Yields Any: a (kind, meta, arrays) tuple, or None where the list held None; callers that never pack None unpack it.
def unpack_items(metas: Sequence[dict | None], arrays: Sequence, start: int = 0) -> Iterator[Any]:
    """Inverse of ``pack_items``: ``(kind, meta, arrays)`` per item (``None`` stays ``None``)."""
    pos = start
    for item in metas:
        if item is None:
            yield None
            continue
        n = int(item["n"])
        yield item["kind"], item["meta"], list(arrays[pos : pos + n])
        pos += n


Encoder = Callable[[dict, list, Path], dict]
_ENCODERS: dict[str, Encoder] = {}


def register_encoder(kind: str) -> Callable[[Encoder], Encoder]:
    """Decorator: ``@register_encoder("image")`` on ``fn(meta, arrays, run_dir) -> dict``."""

    def deco(fn: Encoder) -> Encoder:
        if kind in _ENCODERS:
            raise RuntimeError(f"two encoders registered for media kind {kind!r}")
        _ENCODERS[kind] = fn
        return fn

    return deco


def encode(kind: str, meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: turn a Prepared payload into its history value, writing files."""
    from tidelog.media import all_encoders  # noqa: F401 - importing it registers every encoder

    try:
        fn = _ENCODERS[kind]
    except KeyError:
        raise ValueError(f"unknown media kind {kind!r}") from None
    return fn(meta, arrays, Path(run_dir))


def write_content_addressed(run_dir: Path, subdir: str, data: bytes, ext: str) -> tuple[str, str, int]:
    """Store ``data`` as ``media/<subdir>/<sha256>.<ext>``; return (relpath, sha256, size).

    Same bytes, one file. The file appears atomically (written to a temporary
    name, fsynced, renamed), so a crash never leaves a half file under a hash.
    """
    digest = hashlib.sha256(data).hexdigest()
    rel = f"media/{subdir}/{digest}.{ext}"
    dest = Path(run_dir) / rel
    if dest.exists() and dest.stat().st_size == len(data):
        return rel, digest, len(data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rel, digest, len(data)
