"""A ``Table``'s columns across the transport, and the stored table file.

Training side (``pack_column``), column by column, so the table JSON is built
on the sender: number and bool columns become numpy arrays (plus a mask of
``None`` cells), string columns one UTF-8 blob (``"\\0"``-joined), other
columns (mixed types, media cells) a JSON-able list in ``meta`` with media
cells replaced by ``{"$media": i}`` and their own ``Prepared`` packed
alongside. A column falls back to cell by cell when its fast form would
not be exact (ints beyond 2**53 with ``None``, a string holding ``"\\0"``).

Sender side: ``encode_table_payload`` rebuilds the rows, encoding media cells
with their own encoder (the cell holds the encoded dict), and
``table_file_value`` stores ``{"columns": [...], "data": [[...], ...]}`` as
``media/tables/<sha256>.table.json`` (NaN / Infinity written as Python's
``json`` writes them, as W&B does), returning the ``table-file`` value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media.base import Media, Prepared, encode, pack_items, unpack_items
from tidelog.media.files import store_file

__all__ = ["ColumnState", "pack_column", "encode_table_payload", "table_file_value"]

_SEP = "\x00"


class ColumnState:
    """What a column has held so far: its type class, floats, Nones (``Table`` keeps it up to date)."""

    __slots__ = ("label", "has_float", "has_none", "mixed")

    def __init__(self) -> None:
        self.label: str | None = None
        self.has_float = False
        self.has_none = False
        self.mixed = False


def pack_column(key: str, col: tuple, state: ColumnState, arrays: list) -> dict:
    if state.label is None:
        return {"pack": "none"}
    if not state.mixed and state.label in ("number", "bool"):
        packed = _pack_numeric(col, state, arrays)
        if packed is not None:
            return packed
    if not state.mixed and state.label == "str":
        packed = _pack_str(col, state, arrays)
        if packed is not None:
            return packed
    return _pack_cells(key, col, arrays)


def _none_mask(col: tuple, state: ColumnState, arrays: list) -> int | None:
    if not state.has_none:
        return None
    arrays.append(np.fromiter((v is None for v in col), dtype=bool, count=len(col)))
    return len(arrays) - 1


def _pack_numeric(col: tuple, state: ColumnState, arrays: list) -> dict | None:
    if state.label == "bool":
        dtype: Any = np.bool_
        kind = "bool"
        src = [False if v is None else v for v in col] if state.has_none else col
    else:
        exact_int = not state.has_float and not state.has_none
        dtype, kind = (np.int64 if exact_int else np.float64), ("float" if state.has_float else "int")
        src = col  # None becomes NaN in a float64 array; the mask tells them apart
    try:
        values = np.array(src, dtype=dtype)
    except OverflowError:
        return None  # ints beyond int64: stored cell by cell
    if kind == "int" and dtype is np.float64 and np.nanmax(np.abs(values), initial=0) >= 2**53:
        return None  # ints not exact in float64: stored cell by cell
    mask = _none_mask(col, state, arrays)
    arrays.append(values)
    return {"pack": "num", "kind": kind, "array": len(arrays) - 1, "mask": mask}


def _pack_str(col: tuple, state: ColumnState, arrays: list) -> dict | None:
    strings = [("" if v is None else v) for v in col] if state.has_none else col
    joined = _SEP.join(strings)
    if joined.count(_SEP) != len(col) - 1:
        return None  # a string holds the separator
    try:
        blob = joined.encode("utf-8")
    except UnicodeEncodeError:
        return None
    mask = _none_mask(col, state, arrays)
    arrays.append(blob)
    return {"pack": "str", "array": len(arrays) - 1, "mask": mask}


def _pack_cells(key: str, col: tuple, arrays: list) -> dict:
    values: list = []
    preps: list[Prepared] = []
    for v in col:
        if isinstance(v, Media):
            values.append({"$media": len(preps)})
            preps.append(v._prepare(key))
        else:
            values.append(v)
    metas, item_arrays = pack_items(preps)
    start = len(arrays)
    arrays.extend(item_arrays)
    return {"pack": "cells", "values": values, "items": metas, "start": start}


# -- sender side ----------------------------------------------------------------------


def _unpack_column(pack: dict, n: int, arrays: list, run_dir: Path) -> list:
    kind = pack["pack"]
    if kind == "none":
        return [None] * n
    if kind == "cells":
        encoded = [encode(k, m, a, run_dir) for k, m, a in unpack_items(pack["items"], arrays, pack["start"])]
        return [encoded[v["$media"]] if isinstance(v, dict) else v for v in pack["values"]]
    if kind == "num":
        values = np.asarray(arrays[pack["array"]])
        out = values.tolist()
        if pack["kind"] == "int" and values.dtype.kind == "f":
            out = [int(x) if x == x else None for x in out]  # ints that travelled with None (NaN)
    else:
        blob = arrays[pack["array"]]
        out = bytes(blob).decode("utf-8").split(_SEP) if n else []
    if pack.get("mask") is not None:
        mask = np.asarray(arrays[pack["mask"]])
        out = [None if m else v for v, m in zip(out, mask.tolist())]
    return out


def encode_table_payload(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Write the table file from a packed table; return its ``table-file`` value."""
    n = int(meta["nrows"])
    cols = [_unpack_column(p, n, arrays, run_dir) for p in meta["packs"]]
    data = [list(r) for r in zip(*cols)] if n else []
    return table_file_value(run_dir, meta["columns"], data)


def table_file_value(run_dir: Path, columns: list, data: list) -> dict:
    """Store ``{"columns", "data"}`` as ``media/tables/<sha>.table.json``; the history value."""
    body = json.dumps({"columns": columns, "data": data}, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return {"_type": "table-file", **store_file(run_dir, "tables", body, "table.json"),
            "ncols": len(columns), "nrows": len(data)}
