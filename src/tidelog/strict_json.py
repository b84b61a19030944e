"""The one strict JSON (RFC 8259) encoding: every ``--json`` output, the server's answers and columns.

What ``JSON.parse`` and ``jq`` accept, so never the bare ``NaN`` / ``Infinity``
tokens Python's json module writes by default. Non-finite floats become the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (the spellings
JavaScript's ``Number()`` and Python's ``float()`` read back), so they stay
distinct from a missing value, which is ``null`` or an absent key. numpy
scalars and arrays become numbers and lists; any other object its ``str()``.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["NON_FINITE", "jsonable", "dumps", "dumps_compact"]

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types, non-finite floats as strings."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return jsonable(value.tolist())
    return str(value)


def dumps(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text of ``value`` (raises ValueError rather than write NaN)."""
    return json.dumps(jsonable(value), indent=indent, allow_nan=False)


def dumps_compact(value: Any) -> str:
    """Strict JSON text with no spaces; plain values go straight to the encoder (the common case)."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (ValueError, TypeError):
        return json.dumps(jsonable(value), allow_nan=False, separators=(",", ":"))
