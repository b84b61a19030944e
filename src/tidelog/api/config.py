"""``run.config``: hyperparameters, with item and attribute access like W&B's.

Every change is sent as a ``ConfigUpdate`` (key -> JSON text) as it happens,
so a crash keeps the config too. Accepts dicts, ``argparse.Namespace``,
absl-style flag objects (``flag_values_dict()``) and objects with ``__dict__``.

As in W&B, a key's value, once set, is changed only on request: ``update(d,
allow_val_change=True)``, or ``init(allow_val_change=True)`` for the whole
run. Otherwise setting a key to a different value (``update``, ``config[k] =
v``, ``config.k = v``) raises ``ConfigError`` naming the key and both values,
and nothing of that call is applied. Setting the same value again is fine;
values compare as in W&B (Python ``==`` on the stored JSON values, so ``1`` and ``1.0`` are
the same value; NaN is the same as NaN).
``init(config=...)`` itself may change values (a resumed run's new config).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from tidelog.api.values import to_json_text
from tidelog.errors import ConfigError

__all__ = ["Config", "as_dict", "allow_val_change"]


def _changes(old: Any, new: Any, new_text: str, key: str) -> bool:
    """Is ``new`` a different value? As W&B compares (``1 == 1.0``); NaN is the same as NaN."""
    return old != new and to_json_text(key, old) != new_text


def allow_val_change(config: Config, allow: bool) -> None:
    """``init(allow_val_change=...)``: whether every change of a set value is allowed for this run."""
    object.__setattr__(config, "_allow_changes", bool(allow))


def as_dict(obj: Any) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return dict(obj)
    if hasattr(obj, "flag_values_dict"):
        return dict(obj.flag_values_dict())
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise TypeError(f"tidelog: config must be a dict, argparse.Namespace or similar, not {type(obj).__name__}")


class Config:
    def __init__(self, send: Callable[[dict[str, str], list[str]], None] | None = None) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_send", send)
        object.__setattr__(self, "_allow_changes", False)

    def restore(self, items: dict) -> None:
        """Values the run's log already holds (a resumed run): kept here, not sent again."""
        self._items.update(items)

    def _set_many(self, values: dict, allow_val_change: bool | None = None) -> None:
        allow = allow_val_change or self._allow_changes
        encoded, parsed = {}, {}
        for k, v in values.items():
            if not isinstance(k, str):
                raise TypeError(f"tidelog.config: key {k!r} is a {type(k).__name__}; keys must be strings")
            text = to_json_text(k, v)
            value = json.loads(text)
            if not allow and k in self._items and _changes(self._items[k], value, text, k):
                raise ConfigError(f"tidelog.config: attempted to change the value of key {k!r} from "
                                  f"{self._items[k]!r} to {value!r}; pass allow_val_change=True to "
                                  "config.update() (or to init()) to change it. Nothing was changed.")
            encoded[k] = text
            parsed[k] = value
        if self._send is not None and encoded:
            self._send(encoded, [])  # raises UsageError on a finished run: then nothing changes
        self._items.update(parsed)  # only once every value is valid and sent: all or nothing

    def update(self, d: Any = None, allow_val_change: bool | None = None, **kwargs: Any) -> None:
        values = as_dict(d)
        values.update(kwargs)
        self._set_many(values, allow_val_change)

    def setdefaults(self, d: dict) -> None:
        self._set_many({k: v for k, v in d.items() if k not in self._items})

    def __setitem__(self, key: str, value: Any) -> None:
        self._set_many({key: value})

    def __setattr__(self, key: str, value: Any) -> None:
        self._set_many({key: value})

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}") from None

    def __delitem__(self, key: str) -> None:
        if key not in self._items:
            raise KeyError(key)
        if self._send is not None:
            self._send({}, [key])
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def as_dict(self) -> dict:
        return dict(self._items)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"
