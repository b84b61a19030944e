"""The slow path: any value ``log()`` or the summary accepts, turned into record fields.

Plain floats and ints in a dict of only numbers never come here (see
``transport.fastpath``). Everything else does: bools, strings, None, lists and
dicts (stored as JSON), numpy scalars and arrays, tensors, and rich media
(``tidelog.media``), which become placeholders plus a ``Prepared`` payload.

Errors name the key and say what was wrong; nothing is sent for a call that
raises, so a bad value never leaves a half-logged row.
"""

from __future__ import annotations

import json
from typing import Any

from tidelog.api.keys import BOOL, MEDIA, NUMBER, OTHER, STRING, KeyTable
from tidelog.errors import KeyCollisionError
from tidelog.media.base import Media, Prepared
from tidelog.records import pb
from tidelog.transport.frames import pending_json

__all__ = ["Fields", "to_fields", "to_json_text", "flatten", "INT64_MIN", "INT64_MAX"]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class Fields:
    """Typed values for one record, in the order they were given."""

    __slots__ = ("float_keys", "float_values", "int_keys", "int_values", "items", "prepared", "plain")

    def __init__(self) -> None:
        self.float_keys: list[int] = []
        self.float_values: list[float] = []
        self.int_keys: list[int] = []
        self.int_values: list[int] = []
        # (key id, "bool" | "str" | "json", value): encoded by transport.fastpath
        # for history rows, turned into pb.Item by pb_items() for the summary.
        self.items: list[tuple[int, str, Any]] = []
        self.prepared: list = []            # media payloads, index = placeholder number
        self.plain: dict[str, Any] = {}     # key -> Python value as a reader will see it

    def pb_items(self) -> list[pb.Item]:
        """Every value as a ``pb.Item`` (numbers included), for a SummaryUpdate."""
        out = [pb.Item(key=k, value=pb.Value(num=v)) for k, v in zip(self.float_keys, self.float_values)]
        out += [pb.Item(key=k, value=pb.Value(int=v)) for k, v in zip(self.int_keys, self.int_values)]
        out += [pb.Item(key=k, value=pb.Value(**{kind: v})) for k, kind, v in self.items]
        return out


def flatten(data: dict) -> dict:
    """W&B's nested dicts as metrics with dotted names: ``{"val": {"loss": 1}}`` -> ``{"val.loss": 1}``.

    Any depth; media inside nested dicts stay media. An empty dict and a dict
    holding ``"_type"`` (a value already in W&B's JSON form) are values, not
    nests. Nested keys must be strings or ints (ints become their decimal
    text, as in JSON); a later key wins over an earlier one of the same
    dotted name. ``TypeError`` names the dotted path of a bad key.
    """
    out: dict = {}
    for k, v in data.items():
        if isinstance(v, dict) and v and "_type" not in v and type(k) is str:
            _flatten_into(out, k, v)
        else:
            out[k] = v
    return out


def _flatten_into(out: dict, prefix: str, nest: dict) -> None:
    for k, v in nest.items():
        if type(k) is not str:
            if type(k) is not int:
                raise TypeError(f"tidelog.log: key {prefix!r} holds the key {k!r}, a {type(k).__name__}; "
                                "nested keys must be strings")
            k = str(k)
        name = f"{prefix}.{k}"
        if isinstance(v, dict) and v and "_type" not in v:
            _flatten_into(out, name, v)
        else:
            out[name] = v


def _is_number_type(t: type) -> str | None:
    """'float' / 'int' for the numeric scalar types we store as columns, else None."""
    if t is float:
        return "float"
    if t is int:
        return "int"
    mod = t.__module__
    if mod == "numpy":
        import numpy as np

        if issubclass(t, np.floating):
            return "float"
        if issubclass(t, np.integer):
            return "int"
    return None


class _SummaryKeys:
    """Summary values are not history: one set by the user neither gives a key its type nor is stored apart."""

    __slots__ = ("_keys",)

    def __init__(self, keys: KeyTable) -> None:
        self._keys = keys

    def id_for(self, name: str, category: str | None) -> int:
        return self._keys.id_for(name, None)

    def stored_name(self, name: str, category: str | None) -> str:
        return name

    def mark(self) -> int:
        return self._keys.mark()

    def rollback(self, mark: int) -> None:
        self._keys.rollback(mark)

    def refuse(self, name: str, err: Exception) -> None:
        self._keys.refuse(name, err)


def to_fields(data: dict, keys: KeyTable, *, summary: bool = False) -> Fields:
    """Convert a ``log()`` (or summary) dict. Raises TypeError/ValueError naming the key."""
    out = Fields()
    if summary:
        keys = _SummaryKeys(keys)  # type: ignore[assignment]  # a KeyTable look-alike for summary keys
    mark = keys.mark()
    try:
        for k, v in data.items():
            try:
                _add(out, keys, k, v, summary)
            except KeyCollisionError as e:
                keys.refuse(k, e)  # that key only, with a warning: the rest of the call is logged
    except BaseException:
        keys.rollback(mark)  # nothing is sent, so no key may keep the type it had in this call
        raise
    return out


def _add(out: Fields, keys: KeyTable, k: str, v: Any, summary: bool) -> None:
    if isinstance(v, Media):  # first: logging a data type is the slow path's hot case
        _add_prepared(out, keys, k, v._prepare(k))
        return
    t = type(v)
    kind = _is_number_type(t)
    if kind == "float":
        out.float_keys.append(keys.id_for(k, NUMBER))
        out.float_values.append(float(v))
        out.plain[keys.stored_name(k, NUMBER)] = float(v)
        return
    if kind == "int":
        iv = int(v)
        if INT64_MIN <= iv <= INT64_MAX:
            out.int_keys.append(keys.id_for(k, NUMBER))
            out.int_values.append(iv)
        else:  # beyond int64: kept as a float, as JSON-based loggers do
            out.float_keys.append(keys.id_for(k, NUMBER))
            out.float_values.append(float(iv))
        out.plain[keys.stored_name(k, NUMBER)] = iv
        return
    if t is bool:
        out.items.append((keys.id_for(k, BOOL), "bool", v))
        out.plain[keys.stored_name(k, BOOL)] = v
        return
    if t is str:
        out.items.append((keys.id_for(k, STRING), "str", v))
        out.plain[keys.stored_name(k, STRING)] = v
        return
    if v is None:
        out.items.append((keys.id_for(k, None), "json", "null"))
        out.plain[k] = None
        return
    _add_rich(out, keys, k, v, summary)


def _media():
    """tidelog.media, imported on the first rich value (not at ``import tidelog``)."""
    global _MEDIA
    if _MEDIA is None:
        import tidelog.media as m

        _MEDIA = m
    return _MEDIA


_MEDIA: Any = None


def _add_rich(out: Fields, keys: KeyTable, k: str, v: Any, summary: bool) -> None:
    media = _media()
    NOT_MEDIA, to_loggable = media.NOT_MEDIA, media.to_loggable
    if summary and _is_array_like(v):
        from tidelog.media.arrays import summary_array

        loggable = summary_array(k, v)
    else:
        loggable = to_loggable(k, v)
    if loggable is NOT_MEDIA:
        if isinstance(v, (list, tuple, dict)):
            text = to_json_text(k, v)
            out.items.append((keys.id_for(k, OTHER), "json", text))
            out.plain[keys.stored_name(k, OTHER)] = json.loads(text)
            return
        raise TypeError(
            f"tidelog.log: key {k!r} has a value of type {type(v).__module__}.{type(v).__qualname__}, "
            "which tidelog cannot log; use a number, string, bool, list, dict, numpy array or a tidelog data type"
        )
    if isinstance(loggable, Prepared):
        _add_prepared(out, keys, k, loggable)
        return
    # A plain value from a bare array or tensor: a scalar or a list.
    _add(out, keys, k, loggable, summary)


def _add_prepared(out: Fields, keys: KeyTable, k: str, prepared: Prepared) -> None:
    # The seed groups types as number, string, bool, other, and "all wandb
    # types" together: an image, a list of images and a table under one key
    # are one series, not split.
    kid = keys.id_for(k, MEDIA)
    idx = len(out.prepared)
    out.prepared.append(prepared)
    out.items.append((kid, "json", pending_json(idx)))
    # The live view of a rich value until the sender has encoded it (Api shows the encoded value).
    out.plain[keys.stored_name(k, MEDIA)] = {"_type": prepared.kind}


def _is_array_like(v: Any) -> bool:
    mod = type(v).__module__ or ""
    return hasattr(v, "shape") and mod.startswith(("numpy", "torch", "tensorflow", "jax", "jaxlib"))


def _json_default_for(key: str):
    def default(o: Any) -> Any:
        if hasattr(o, "tolist") and type(o).__module__.startswith("numpy"):
            return o.tolist()
        if hasattr(o, "item") and type(o).__module__.startswith("torch"):
            return o.detach().cpu().tolist()
        raise TypeError(
            f"tidelog.log: key {key!r} contains a value of type {type(o).__name__} "
            "that cannot be stored as JSON"
        )

    return default


def to_json_text(key: str, value: Any) -> str:
    """JSON text for a list/dict value; NaN and Infinity are kept (as JSON5-style tokens)."""
    try:
        return json.dumps(value, default=_json_default_for(key), allow_nan=True, separators=(",", ":"))
    except ValueError as e:  # circular reference
        raise ValueError(f"tidelog.log: key {key!r}: {e}") from None

