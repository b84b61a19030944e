"""``run.summary``: one value per key, the last logged unless the user set it.

Values the user sets (``summary[k] = v``, ``summary.update({...})``) are sent
as ``SummaryUpdate`` records at once; arrays and tensors are kept whole in a
file with their statistics in the summary. Reading a key the user did not set
gives the last value logged to history.

A dict value reads back as a ``SummarySubDict`` (W&B's name): changing it at
any depth (``summary["d"]["z"] = 1``) sends its top-level key again with the
change, as W&B's summary does. Values are copied when set, so changing the
dict a value came from afterwards changes nothing in the summary.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Summary", "SummarySubDict"]


class SummarySubDict(dict):
    """A dict inside a summary; each change is handed to ``on_change(path, new value of this dict)``."""

    def __init__(self, value: dict, path: tuple[str, ...], on_change: Callable[[tuple, dict], None]) -> None:
        super().__init__(value)
        self._path = path
        self._on_change = on_change

    def _wrap(self, key: Any, value: Any) -> Any:
        return SummarySubDict(value, self._path + (key,), self._on_change) if isinstance(value, dict) else value

    def _changed(self) -> None:
        self._on_change(self._path, copy.deepcopy(dict(self)))

    def __getitem__(self, key: Any) -> Any:
        return self._wrap(key, super().__getitem__(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return self._wrap(key, super().get(key, default))

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, copy.deepcopy(value))
        self._changed()

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(copy.deepcopy(dict(*args, **kwargs)))
        self._changed()

    def pop(self, key: Any, *default: Any) -> Any:
        had = key in self
        value = super().pop(key, *default)
        if had:
            self._changed()
        return value

    def popitem(self) -> tuple:
        item = super().popitem()
        self._changed()
        return item

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        super().clear()
        self._changed()

    def __ior__(self, other: Any) -> SummarySubDict:  # type: ignore[misc]  # dict's |= accepts any mapping; | stays dict's
        self.update(other)
        return self

    def __reduce__(self):  # pickles and deep-copies as a plain dict
        return (dict, (dict(self),))


def replace_at(top: Any, path: tuple, value: Any) -> Any:
    """``top`` (a dict, copied) with the value at ``path`` (keys below the top) replaced."""
    if not path:
        return value
    out = copy.deepcopy(dict(top)) if isinstance(top, dict) else {}
    node = out
    for key in path[:-1]:
        nxt = node.get(key)
        node[key] = nxt = dict(nxt) if isinstance(nxt, dict) else {}
        node = nxt
    node[path[-1]] = value
    return out


class Summary:
    def __init__(self, send: Callable[[dict, list[str]], dict] | None,
                 last_logged: Callable[[], dict] | None = None) -> None:
        self._send = send                 # sends a SummaryUpdate; returns the values as stored
        self._last_logged = last_logged or dict
        self._user: dict[str, Any] = {}
        self._removed: set[str] = set()

    def restore(self, values: dict) -> None:
        """Values set through ``run.summary`` that the run's log already holds (a resumed run):
        kept here, not sent again."""
        self._user.update(values)

    def _view(self) -> dict:
        merged = {k: v for k, v in self._last_logged().items() if k not in self._removed}
        merged.update(self._user)
        return merged

    def update(self, d: dict | None = None, **kwargs: Any) -> None:
        values = dict(d or {})
        values.update(kwargs)
        if not values:
            return
        stored = self._send(values, []) if self._send is not None else values
        self._user.update({k: copy.deepcopy(v) if isinstance(v, (dict, list)) else v for k, v in stored.items()})
        self._removed.difference_update(values)

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def _nested_changed(self, path: tuple, value: dict) -> None:
        top = path[0]
        self.update({top: replace_at(self._view().get(top), path[1:], value)})

    def _wrap(self, key: str, value: Any) -> Any:
        return SummarySubDict(value, (key,), self._nested_changed) if isinstance(value, dict) else value

    def __getitem__(self, key: str) -> Any:
        return self._wrap(key, self._view()[key])

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._wrap(key, self._view()[key])
        except KeyError:
            raise AttributeError(f"summary has no key {key!r}") from None

    def __delitem__(self, key: str) -> None:
        if key not in self._view():
            raise KeyError(key)
        if self._send is not None:
            self._send({}, [key])  # first: on a finished run it raises and nothing changes
        self._user.pop(key, None)
        self._removed.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._view()

    def __iter__(self) -> Iterator[str]:
        return iter(self._view())

    def __len__(self) -> int:
        return len(self._view())

    def get(self, key: str, default: Any = None) -> Any:
        return self._wrap(key, self._view().get(key, default))

    def keys(self):
        return self._view().keys()

    def items(self):
        return self._view().items()

    def values(self):
        return self._view().values()

    def as_dict(self) -> dict:
        return self._view()

    def __repr__(self) -> str:
        return f"Summary({self._view()!r})"
