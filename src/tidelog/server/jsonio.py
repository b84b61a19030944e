"""JSON in and out of the server: non-finite floats become strings (``tidelog.strict_json``).

JSON has no NaN or infinity, PostgreSQL's ``json`` refuses them and
Starlette's responses refuse them, so every value the server stores in a
JSON column or answers carries ``float('nan')`` as ``"NaN"``,
``inf`` as ``"Infinity"``, ``-inf`` as ``"-Infinity"`` (docs/server-api.md).
"""

from __future__ import annotations

from tidelog.strict_json import dumps_compact as dumps
from tidelog.strict_json import jsonable as jsonsafe

__all__ = ["jsonsafe", "dumps"]
