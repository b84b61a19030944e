"""Key interning, case-insensitive collisions, and one type per key.

Every history or summary key gets a small integer id the first time it is
seen; a ``KeyDef`` record carrying it is sent before the first record that
uses the id. Ids are never reused within a run (a resumed run reloads them).

Type categories follow the seed: number, string, bool, other (lists, dicts,
arrays kept as JSON) and each rich type (``_type``). A key keeps the category
it was first logged with; a value of another category is kept apart under
``"<key> (<category>)"`` with a warning, never silently merged.
"""

from __future__ import annotations

from typing import Callable

from tidelog._warn import warn
from tidelog.errors import KeyCollisionError

__all__ = ["KeyTable", "NUMBER", "STRING", "BOOL", "OTHER", "MEDIA"]

NUMBER = "number"
STRING = "string"
BOOL = "bool"
OTHER = "other"
MEDIA = "media"


class KeyTable:
    def __init__(self, on_new_key: Callable[[int, str], None]) -> None:
        self._ids: dict[str, int] = {}
        self._by_lower: dict[str, str] = {}
        self._category: dict[str, str] = {}
        self._on_new_key = on_new_key  # sends the KeyDef record
        self._refused: set[str] = set()

    def load(self, key_id: int, name: str) -> None:
        """Register a key that an earlier session of this run already defined."""
        self._ids[name] = key_id
        self._by_lower.setdefault(name.lower(), name)

    def names(self) -> dict[int, str]:
        return {i: n for n, i in self._ids.items()}

    def id_for(self, name: str, category: str | None) -> int:
        """The id to store a ``category`` value of key ``name`` under (defining it if new).

        Raises ``TypeError`` for a non-string key and ``KeyCollisionError``
        when ``name`` differs from an existing key only by case.
        """
        if name not in self._ids:
            self.check_name(name)
        if category is not None:
            name = self._apart(name, category)
        kid = self._ids.get(name)
        if kid is None:
            kid = self._define(name)
        return kid

    def mark(self) -> int:
        """A point to ``rollback`` to: type categories are only ever added, in order."""
        return len(self._category)

    def rollback(self, mark: int) -> None:
        """Forget the types first seen since ``mark`` (by a call that then logged nothing)."""
        for name in list(self._category)[mark:]:
            del self._category[name]

    def stored_name(self, name: str, category: str | None) -> str:
        """The name a ``category`` value of ``name`` is stored under (once ``id_for`` has run)."""
        if category is None or self._category.get(name, category) == category:
            return name
        return f"{name} ({category})"

    def check_name(self, name: object) -> None:
        if type(name) is not str:
            raise TypeError(
                f"tidelog.log: key {name!r} is a {type(name).__name__}; keys must be strings"
            )
        if not name:
            raise ValueError("tidelog.log: the empty string is not a valid key")
        other = self._by_lower.get(name.lower())
        if other is not None and other != name:
            raise KeyCollisionError(
                f"tidelog.log: key {name!r} differs from the existing key {other!r} only by case; "
                "metric names are case-insensitive, so it is refused (rename one of them)"
            )

    def refuse(self, name: str, err: KeyCollisionError) -> None:
        """A key refused for colliding by case: warn once per name; its values are dropped."""
        if name in self._refused:
            return
        self._refused.add(name)
        warn(f"{err}; its values are not logged (warned once per key)")

    def _define(self, name: str) -> int:
        self.check_name(name)
        kid = len(self._ids) + 1
        self._ids[name] = kid
        self._by_lower[name.lower()] = name
        self._on_new_key(kid, name)
        return kid

    def _apart(self, name: str, category: str) -> str:
        first = self._category.setdefault(name, category)
        if first == category:
            return name
        apart = f"{name} ({category})"
        if apart not in self._category:
            self._category[apart] = category
            warn(f"tidelog.log: key {name!r} was first logged as {first} and now as {category}; "
                 f"one key keeps one type, so these values are stored apart under {apart!r}")
        return apart
