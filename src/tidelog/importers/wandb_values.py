"""W&B values as tidelog values: key paths to nested dicts, nested dicts to dotted keys, protobuf ``Value``s.

W&B records name a value by a key path (``nested_key``); ``tree`` rebuilds the
nested dict, ``flatten`` turns plain nested dicts into dotted keys (``a.b``, as
tidelog's ``log()`` does) while media values (dicts with ``_type``) stay whole.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tidelog.records import pb

__all__ = ["INT64", "tree", "set_path", "del_path", "flatten", "to_value", "same"]

INT64 = (-(1 << 63), (1 << 63) - 1)


def tree(items: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        set_path(out, item["path"], item["value"])
    return out


def set_path(d: dict, path: list[str], value: Any) -> None:
    for p in path[:-1]:
        nxt = d.get(p)
        if not isinstance(nxt, dict):
            nxt = d[p] = {}
        d = nxt
    d[path[-1]] = value


def del_path(d: dict, path: list[str]) -> None:
    for p in path[:-1]:
        d = d.get(p)  # type: ignore[assignment]  # checked on the next line
        if not isinstance(d, dict):
            return
    d.pop(path[-1], None)


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Plain nested dicts as dotted keys; media values (dicts with ``_type``) and the rest whole."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v and "_type" not in v:
            out.update(flatten(v, name + "."))
        else:
            out[name] = v
    return out


def to_value(v: Any) -> pb.Value:
    if isinstance(v, bool):
        return pb.Value(bool=v)
    if isinstance(v, str):
        return pb.Value(str=v)
    if isinstance(v, int) and INT64[0] <= v <= INT64[1]:
        return pb.Value(int=v)
    if isinstance(v, (int, float)):
        return pb.Value(num=float(v))
    return pb.Value(json=json.dumps(v, allow_nan=True))


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b
