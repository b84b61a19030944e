"""Test helpers: send a ``Prepared`` through the real transport framing, then encode it.

``through_transport`` lays the value out exactly as the ring does
(``tidelog.transport.frames``: meta as marshal data, arrays as raw bytes) and parses
it back, so the encoders see what the sender sees: plain JSON meta and numpy
views (bytes arrive as uint8 arrays).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tidelog.media import Prepared, encode, to_loggable
from tidelog.transport.frames import layout_media, parse_media

__all__ = ["through_transport", "encode_prepared", "log_value", "read_json", "read_table", "send", "stored", "raises"]


def through_transport(prep: Prepared) -> tuple[str, dict, list]:
    """``(kind, meta, arrays)`` as the sender receives them."""
    layout = layout_media(b"", [prep])
    buf = bytearray(layout.size)
    buf[: len(layout.head)] = layout.head
    for off, arr in layout.arrays:
        raw = np.ascontiguousarray(arr).tobytes()
        buf[off : off + len(raw)] = raw
    _, items = parse_media(bytes(buf))
    return items[0]


def encode_prepared(prep: Prepared, run_dir: Path) -> dict:
    """Transport round trip, then the registered encoder; the history value."""
    kind, meta, arrays = through_transport(prep)
    return encode(kind, meta, arrays, Path(run_dir))


def log_value(key: str, value: Any, run_dir: Path) -> Any:
    """What ``log({key: value})`` stores: plain values as they are, media encoded."""
    prep = to_loggable(key, value)
    if isinstance(prep, Prepared):
        return encode_prepared(prep, run_dir)
    return prep


def read_json(run_dir: Path, value: dict) -> Any:
    """The JSON file a value's ``path`` names (checking size and sha256 fields)."""
    import hashlib

    data = (Path(run_dir) / value["path"]).read_bytes()
    assert len(data) == value["size"]
    assert hashlib.sha256(data).hexdigest() == value["sha256"]
    return json.loads(data)


def read_table(run_dir: Path, value: dict) -> dict:
    """The ``{"columns", "data"}`` of a ``table-file`` value."""
    assert value["_type"] == "table-file"
    table = read_json(run_dir, value)
    assert value["ncols"] == len(table["columns"])
    assert value["nrows"] == len(table["data"])
    return table


def send(prep: Prepared, run_dir: Path) -> dict:
    """A prepared value through the transport framing, then ``tidelog.media.encode``."""
    import tidelog.media

    return tidelog.media.encode(*through_transport(prep), run_dir)


def stored(run_dir: Path, value: dict) -> bytes:
    """The bytes of the file a history value names, checked against its sha256 and size."""
    data = (run_dir / value["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == value["sha256"] and len(data) == value["size"]
    return data


def raises(exc, *words):
    """``pytest.raises`` for an error whose message contains every one of ``words``."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))
