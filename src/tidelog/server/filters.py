"""W&B's Mongo-style run filters, translated to one SQL expression.

``to_clause(filters, dialect)`` accepts what ``docs/server-api.md`` lists:
fields (``project``, ``id``/``run_id``, ``name``/``display_name``, ``state``,
``tags``, ``group``, ``job_type``, ``created_at``, ``updated_at``,
``config.<path>`` and ``summary.<path>``/``summary_metrics.<path>``) and
operators (``$eq $ne $gt $gte $lt $lte $in $nin $exists``, ``$and $or $nor``).
JSON values are compared by type: a number only with numbers, a string only
with strings (a guarded CASE, so a string never reaches a numeric cast).
Anything else raises ``ApiError(400)`` naming the field or operator.
``order_clause(order, dialect)`` is the sort, same field names.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tidelog.server.errors import ApiError
from tidelog.server.schema import runs

__all__ = ["to_clause", "order_clause"]

_COLUMNS = {"project": runs.c.project, "id": runs.c.run_id, "run_id": runs.c.run_id, "name": runs.c.name,
            "display_name": runs.c.name, "state": runs.c.state, "group": runs.c.grp, "job_type": runs.c.job_type,
            "created_at": runs.c.created_at, "updated_at": runs.c.updated_at, "createdAt": runs.c.created_at}
_CMP = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"}


def _json_field(field: str) -> tuple[sa.Column, list[str]] | None:
    head, _, rest = field.partition(".")
    if head in ("config", "summary", "summary_metrics") and rest:
        parts = rest.split(".")
        if head == "config" and len(parts) > 1 and parts[-1] == "value":
            parts = parts[:-1]
        if any(not p or '"' in p or "\\" in p for p in parts):
            raise ApiError(400, f"filter field {field!r}: bad key path")
        return (runs.c.config if head == "config" else runs.c.summary), parts
    return None


class _Json:
    """Typed views of one JSON path, per dialect."""

    def __init__(self, col: sa.Column, parts: list[str], dialect: str) -> None:
        self.col, self.parts, self.pg = col, parts, dialect == "postgresql"

    def _type(self):
        if self.pg:
            return sa.func.json_typeof(sa.func.json_extract_path(self.col, *self.parts))
        return sa.func.json_type(self.col, self._path())

    def _path(self) -> str:
        return "$" + "".join(f'."{p}"' for p in self.parts)

    def _text(self):
        if self.pg:
            return sa.func.json_extract_path_text(self.col, *self.parts)
        return sa.func.json_extract(self.col, self._path())

    def number(self):
        kinds = ("number",) if self.pg else ("integer", "real")
        value = sa.cast(self._text(), sa.Float) if self.pg else self._text()
        return sa.case((self._type().in_(kinds), value), else_=sa.null())

    def string(self):
        kinds = ("string",) if self.pg else ("text",)
        return sa.case((self._type().in_(kinds), sa.cast(self._text(), sa.Text)), else_=sa.null())

    def boolean(self):
        return sa.case((self._type().in_(("boolean", "true", "false")), sa.cast(self._text(), sa.Text)),
                       else_=sa.null())

    def exists(self):
        return self._type().is_not(None)

    def typed(self, value: Any, field: str):
        if isinstance(value, bool):
            return self.boolean(), ("true" if value else "false") if self.pg else ("1" if value else "0")
        if isinstance(value, (int, float)):
            return self.number(), float(value)
        if isinstance(value, str):
            return self.string(), value
        raise ApiError(400, f"filter on {field!r}: compare with a number, string or boolean, not {value!r}")


def _tags_contains(value: Any, dialect: str):
    if not isinstance(value, str):
        raise ApiError(400, f"filter on 'tags': a tag is a string, not {value!r}")
    fn = sa.func.json_array_elements_text if dialect == "postgresql" else sa.func.json_each
    tv = fn(runs.c.tags).table_valued("value")
    return sa.exists().select_from(tv).where(tv.c.value == value)


def _compare(field: str, op: str, value: Any, dialect: str):
    if op not in _CMP:
        raise ApiError(400, f"filter on {field!r}: unknown operator {op!r}")
    if op in ("$in", "$nin"):
        if not isinstance(value, list):
            raise ApiError(400, f"filter on {field!r}: {op} takes a list")
        clause = sa.or_(sa.false(), *[_compare(field, "$eq", v, dialect) for v in value])
        return clause if op == "$in" else sa.not_(clause)
    if field == "tags":
        if op == "$exists":
            n = sa.func.json_array_length(runs.c.tags)
            return n > 0 if value else n == 0
        if op not in ("$eq", "$ne"):
            raise ApiError(400, f"filter on 'tags': {op} is not supported (use $in, $nin, $eq, $ne)")
        clause = _tags_contains(value, dialect)
        return clause if op == "$eq" else sa.not_(clause)
    jf = _json_field(field)
    if jf is not None:
        j = _Json(*jf, dialect)
        if op == "$exists":
            return j.exists() if value else sa.not_(j.exists())
        if value is None and op in ("$eq", "$ne"):
            return sa.not_(j.exists()) if op == "$eq" else j.exists()
        expr, v = j.typed(value, field)
    elif field in _COLUMNS:
        expr = _COLUMNS[field]
        if op == "$exists":
            return sa.true() if value else sa.false()
        numeric = field in ("created_at", "updated_at", "createdAt")
        if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ApiError(400, f"filter on {field!r}: compare with a number (unix seconds), not {value!r}")
        if not numeric and not isinstance(value, str):
            raise ApiError(400, f"filter on {field!r}: compare with a string, not {value!r}")
        v = value
    else:
        raise ApiError(400, f"unknown filter field {field!r} (expected project, id, name, state, tags, group, "
                            f"job_type, created_at, updated_at, config.<key> or summary.<key>)")
    if op == "$ne":
        return sa.or_(expr != v, expr.is_(None))
    return {"$eq": expr == v, "$gt": expr > v, "$gte": expr >= v, "$lt": expr < v, "$lte": expr <= v}[op]


def to_clause(filters: Any, dialect: str):
    if not isinstance(filters, dict):
        raise ApiError(400, f"filters must be a JSON object, not {type(filters).__name__}")
    parts = []
    for key, value in filters.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ApiError(400, f"filter {key} takes a list of filter objects")
            subs = [to_clause(v, dialect) for v in value]
            if key == "$and":
                parts.append(sa.and_(sa.true(), *subs))
            elif key == "$or":
                parts.append(sa.or_(sa.false(), *subs))
            else:
                parts.append(sa.not_(sa.or_(sa.false(), *subs)))
        elif key == "$not":
            parts.append(sa.not_(to_clause(value, dialect)))
        elif key.startswith("$"):
            raise ApiError(400, f"unknown filter operator {key!r}")
        elif isinstance(value, dict) and value and all(k.startswith("$") for k in value):
            parts.extend(_compare(key, op, v, dialect) for op, v in value.items())
        else:
            parts.append(_compare(key, "$eq", value, dialect))
    return sa.and_(sa.true(), *parts)


def order_clause(order: str, dialect: str) -> list:
    desc = order.startswith("-")
    field = order.lstrip("+-")
    jf = _json_field(field)
    if jf is not None:
        j = _Json(*jf, dialect)
        exprs = [j.number(), j.string()]
    elif field in _COLUMNS:
        exprs = [_COLUMNS[field]]
    else:
        raise ApiError(400, f"order: unknown field {field!r}")
    out = [(e.desc() if desc else e.asc()).nulls_last() for e in exprs]
    return out + [runs.c.uid.desc() if desc else runs.c.uid.asc()]
