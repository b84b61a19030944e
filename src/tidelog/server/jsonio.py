"""JSON in and out of the server: non-finite floats become strings.

JSON has no NaN or infinity, PostgreSQL's ``json`` refuses them and
Starlette's responses refuse them, so every value the server stores in a
JSON column or answers carries ``float('nan')`` as ``"NaN"``,
``inf`` as ``"Infinity"``, ``-inf`` as ``"-Infinity"`` (docs/server-api.md).
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["jsonsafe", "dumps"]


def jsonsafe(value: Any) -> Any:
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): jsonsafe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonsafe(v) for v in value]
    return value


def dumps(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(jsonsafe(value), allow_nan=False, separators=(",", ":"))
