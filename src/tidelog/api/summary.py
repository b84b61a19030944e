"""``run.summary``: one value per key, the last logged unless the user set it.

Values the user sets (``summary[k] = v``, ``summary.update({...})``) are sent
as ``SummaryUpdate`` records at once; arrays and tensors are kept whole in a
file with their statistics in the summary. Reading a key the user did not set
gives the last value logged to history.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

__all__ = ["Summary"]


class Summary:
    def __init__(self, send: Callable[[dict, list[str]], dict] | None,
                 last_logged: Callable[[], dict] | None = None) -> None:
        self._send = send                 # sends a SummaryUpdate; returns the values as stored
        self._last_logged = last_logged or dict
        self._user: dict[str, Any] = {}
        self._removed: set[str] = set()

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
        self._user.update(stored)
        self._removed.difference_update(values)

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __getitem__(self, key: str) -> Any:
        return self._view()[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._view()[key]
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
        return self._view().get(key, default)

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
