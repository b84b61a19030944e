"""Key interning, case-insensitive collisions, and one type per key.

Every history or summary key gets a small integer id the first time it is
seen; a ``KeyDef`` record carrying it is sent before the first record that
uses the id. Ids are never reused within a run (a resumed run reloads them).

Type categories follow the seed: number, string, bool, other (lists, dicts,
arrays kept as JSON) and each rich type (``_type``). A key keeps the category
it was first logged with; a value of another category is kept apart under
``"<key> (<category>)"`` with a warning, never silently merged.

Threads: several threads may log at once. New keys and first types are
added under one lock; a key's ``KeyDef`` is sent *before* its id is visible
to other threads, so no record can use an id the WAL has not named yet.
``mark``/``rollback`` work per thread (a call that raises in one thread
forgets only the types that call set).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tidelog._warn import warn
from tidelog.errors import KeyCollisionError, UsageError

__all__ = ["KeyTable", "NUMBER", "STRING", "BOOL", "OTHER", "MEDIA", "RESERVED"]

NUMBER = "number"
STRING = "string"
BOOL = "bool"
OTHER = "other"
MEDIA = "media"

# Set by tidelog for every row, never by the data: W&B's reserved keys. A
# numeric ``_timestamp`` in ``log()`` data sets the row's time (W&B does the
# same); ``_step``, ``_runtime`` and any other ``_timestamp`` are refused.
RESERVED = frozenset({"_step", "_runtime", "_timestamp"})


class KeyTable:
    """A run's key names and their ids and type categories.

    Contract: ``id_for(name, category)`` returns the same id for a name for
    the whole run (resumes included, through ``load``); a new name's
    ``on_new_key(id, name)`` runs before the id is returned to anyone; a
    name that differs from a known one only by case, or a value of another
    category, is never merged silently (``KeyCollisionError``, or the value
    kept apart under ``"<key> (<category>)"`` with a warning). Thread-safe.
    """

    def __init__(self, on_new_key: Callable[[int, str], None]) -> None:
        self._ids: dict[str, int] = {}
        self._by_lower: dict[str, str] = {}
        self._category: dict[str, str] = {}
        self._on_new_key = on_new_key  # sends the KeyDef record
        self._refused: set[str] = set()
        self._lock = threading.RLock()
        self._local = threading.local()  # .added: names whose first type this thread's call set

    def load(self, key_id: int, name: str) -> None:
        """Register a key that an earlier session of this run already defined."""
        self._ids[name] = key_id
        self._by_lower.setdefault(name.lower(), name)

    def names(self) -> dict[int, str]:
        with self._lock:
            return {i: n for n, i in self._ids.items()}

    def id_for(self, name: str, category: str | None) -> int:
        """The id to store a ``category`` value of key ``name`` under (defining it if new).

        Raises ``TypeError`` for a non-string key and ``KeyCollisionError``
        when ``name`` differs from an existing key only by case.
        """
        if name not in self._ids:
            self.check_name(name)
        if category is not None and self._category.get(name) != category:
            with self._lock:  # first sight of the key's type, or another type
                name = self._apart(name, category)
        kid = self._ids.get(name)
        if kid is None:
            with self._lock:
                kid = self._ids.get(name)
                if kid is None:
                    kid = self._define(name)
        return kid

    def mark(self) -> int:
        """A point to ``rollback`` to, for this thread (marks do not nest)."""
        self._local.added = []
        return 0

    def rollback(self, mark: int) -> None:
        """Forget the types this thread's call set since ``mark`` (the call then logged nothing)."""
        added = getattr(self._local, "added", [])
        with self._lock:
            for name in added[mark:]:
                self._category.pop(name, None)
        del added[mark:]

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

    def refuse(self, name: str, err: Exception) -> None:
        """A key refused (by case, or reserved): warn once per name; its values are dropped."""
        if name in self._refused:
            return
        self._refused.add(name)
        warn(f"{err}; its values are not logged (warned once per key)")

    def take_reserved(self, data: dict, *, summary: bool = False) -> tuple[dict, float | None]:
        """``data`` without the reserved keys, and the row time a numeric ``_timestamp`` sets.

        Each refused key warns once (``refuse``) and only its value is dropped:
        the rest of the call is logged, as for a key that collides by case.
        """
        rest = {k: v for k, v in data.items() if k not in RESERVED}
        ts = None
        for name in RESERVED & data.keys():
            value = data[name]
            if summary:
                why = ("the summary's _step, _runtime and _timestamp are those of the last history row, "
                       "set by tidelog")
            elif name == "_timestamp":
                ts = _row_time(value)
                if ts is not None:
                    continue
                why = (f"it sets the row's time and must be a finite number of seconds since the epoch, "
                       f"not {value!r} ({type(value).__name__})")
            elif name == "_step":
                why = "tidelog numbers the rows itself (pass step= to log() to choose a row's step)"
            else:
                why = "tidelog computes it from the row's _timestamp"
            self.refuse(f"summary {name}" if summary else name,
                        UsageError(f"tidelog.{'summary' if summary else 'log'}: key {name!r} is reserved: {why}"))
        return rest, ts

    def _define(self, name: str) -> int:
        """Under ``_lock``: the KeyDef goes out first, then other threads may see the id."""
        self.check_name(name)
        kid = len(self._ids) + 1
        self._by_lower[name.lower()] = name
        self._on_new_key(kid, name)
        self._ids[name] = kid
        return kid

    def _note_added(self, name: str) -> None:
        added = getattr(self._local, "added", None)
        if added is not None:
            added.append(name)

    def _apart(self, name: str, category: str) -> str:
        """Under ``_lock``: the name a ``category`` value of ``name`` is stored under."""
        first = self._category.get(name)
        if first is None:
            self._category[name] = first = category
            self._note_added(name)
        if first == category:
            return name
        apart = f"{name} ({category})"
        if apart not in self._category:
            self._category[apart] = category
            self._note_added(apart)
            warn(f"tidelog.log: key {name!r} was first logged as {first} and now as {category}; "
                 f"one key keeps one type, so these values are stored apart under {apart!r}")
        return apart


def _row_time(value: object) -> float | None:
    """A ``_timestamp`` value as a row time, or None when it is not a finite real number."""
    import math

    if isinstance(value, bool) or (not isinstance(value, (int, float)) and not _numpy_real(value)):
        return None
    try:
        ts = float(value)  # type: ignore[arg-type]  # a numpy real (checked above) converts
    except (OverflowError, TypeError, ValueError):
        return None
    return ts if math.isfinite(ts) else None


def _numpy_real(value: object) -> bool:
    t = type(value)
    if t.__module__ != "numpy":
        return False
    import numpy as np

    return issubclass(t, (np.floating, np.integer))
