"""History rows from a record stream.

Rules (from ``record.proto``):

* ``KeyDef`` names key ids; ``RunStart.start_time`` anchors ``_runtime``.
* History fragments are ``HistoryRow`` records and the rows of
  ``HistoryBlock`` records, in stream order. Consecutive fragments with the
  same step are one row; a later fragment's value for a key replaces an
  earlier one's, and the row's ``_timestamp`` is its last fragment's.
* Every row has ``_step`` (int), ``_timestamp`` (unix s) and ``_runtime``
  (s since ``RunStart.start_time``, or since the first fragment when the
  stream has no RunStart). Float columns give floats, int columns ints,
  ``Value`` items their Python value (json is parsed).
* A key id used without a ``KeyDef`` (its record lost to damage) is named
  ``_key<id>`` rather than dropped.
* Total: no value a WAL can hold makes a reader raise. A history key named
  ``_step``, ``_timestamp`` or ``_runtime`` (tidelog refuses them in data, but
  a hand-made or old WAL may hold one) is ignored: those three always come
  from the fragment itself. A ``json`` value that is not JSON reads as its
  text; a history block whose bytes do not match its count is skipped
  (``unreadable_block``).
* ``keys=`` keeps only rows holding at least one of the keys, and of each
  row only those keys plus ``_step``, ``_timestamp`` and ``_runtime``
  (W&B's ``scan_history(keys=...)``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.read.events import (
    SYSTEM,
    HistoryColumns,
    HistoryFragment,
    KeyNames,
    RunStarted,
    decode_json,
    decode_value,
    events,
    read_block,
)
from tidelog.records import pb

__all__ = ["HistoryReader", "HistoryColumnsBuilder", "decode_value", "decode_json", "read_block", "SYSTEM"]

_SYSTEM = SYSTEM


class HistoryReader:
    """Reads history from ``records``, an iterable of ``pb.Record``.

    Each call of ``rows`` or ``columns`` iterates ``records`` once; pass a
    re-iterable (a list, a ``WalReader``) to call them more than once.
    """

    def __init__(self, records: Iterable[pb.Record]) -> None:
        self.records = records

    @classmethod
    def from_run_dir(cls, run_dir: str | os.PathLike[str]) -> HistoryReader:
        from tidelog.wal.reader import WalReader

        return cls(WalReader(Path(run_dir) / "wal"))

    # -- rows --------------------------------------------------------------

    def _fragments(self, names: KeyNames, start: list[float]) -> Iterator[tuple[int, float, dict]]:
        """``(step, timestamp, values)`` per fragment; fills ``names`` and
        ``start`` (the RunStart time, if any) as records go by."""
        for event in events(self.records, names):
            if isinstance(event, HistoryColumns):
                yield from event.fragments(names)
            elif isinstance(event, HistoryFragment):
                yield event.step, event.timestamp, event.values(names)
            elif isinstance(event, RunStarted) and event.start.start_time:
                start[:] = [event.start.start_time]

    def rows(self, keys: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every history row as a dict, in order (all of them, unsampled)."""
        wanted = None if keys is None else list(keys)
        names, start = KeyNames(), list[float]()
        row: dict[str, Any] | None = None
        for step, ts, values in self._fragments(names, start):
            if row is not None and row["_step"] == step:
                row.update(values)
                row["_timestamp"] = ts
                continue
            if row is not None:
                out = _finish_row(row, start, wanted)
                if out is not None:
                    yield out
            if not start:
                start.append(ts)
            row = {"_step": step, "_timestamp": ts, "_runtime": 0.0}
            row.update(values)
        if row is not None:
            out = _finish_row(row, start, wanted)
            if out is not None:
                yield out

    # -- columns -----------------------------------------------------------

    def columns(self, keys: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """The history as one array per key, one element per row.

        ``_step`` is int64, ``_timestamp``/``_runtime`` float64. A float key
        is float64 with NaN where a row lacks it; an int key is int64 when
        every row has it, else float64 with NaN; other values are an object
        array with None where missing.
        """
        acc = HistoryColumnsBuilder()
        for event in events(self.records, acc.names):
            acc.add(event)
        return acc.finish(keys)


def _finish_row(row: dict[str, Any], start: list[float], wanted: list[str] | None) -> dict[str, Any] | None:
    row["_runtime"] = row["_timestamp"] - start[0]
    if wanted is None:
        return row
    present = [k for k in wanted if k in row and k not in _SYSTEM]
    if not present:
        return None
    out = {k: row[k] for k in _SYSTEM}
    out.update((k, row[k]) for k in present)
    return out


class _KeyParts:
    """One key's values in fragment order: ``(fragment index, value)`` runs."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.kinds: set[str] = set()
        self._idx: list[int] = []
        self._vals: list[Any] = []

    def add_many(self, idx: np.ndarray, values: np.ndarray, kind: str) -> None:
        self._close()
        self.parts.append((idx, values))
        self.kinds.add(kind)

    def add_one(self, idx: int, value: Any, kind: str) -> None:
        self._idx.append(idx)
        self._vals.append(value)
        self.kinds.add(kind)

    def _close(self) -> None:
        if self._idx:
            vals = np.empty(len(self._vals), dtype=object)
            vals[:] = self._vals
            self.parts.append((np.array(self._idx, dtype=np.int64), vals))
            self._idx, self._vals = [], []

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        self._close()
        idx = np.concatenate([p[0] for p in self.parts])
        if self.kinds == {"f"}:
            vals = np.concatenate([p[1].astype(np.float64) for p in self.parts])
        elif self.kinds == {"i"}:
            vals = np.concatenate([p[1].astype(np.int64) for p in self.parts])
        elif self.kinds <= {"f", "i"}:
            vals = np.concatenate([p[1].astype(np.float64) for p in self.parts])
        else:
            vals = np.empty(len(idx), dtype=object)
            vals[:] = [v for p in self.parts for v in p[1].tolist()]
        return idx, vals


class HistoryColumnsBuilder:
    """Collects history events column-wise; ``finish`` merges them into rows.

    Feed it every event of one ``events(records, builder.names)`` pass (it
    keeps what it needs); ``finish`` may be called more than once.
    """

    def __init__(self) -> None:
        self.names = KeyNames()
        self.start: float | None = None
        self.steps: list[np.ndarray] = []
        self.ts: list[np.ndarray] = []
        self.row_steps: list[int] = []  # HistoryRow fragments not yet in self.steps
        self.row_ts: list[float] = []
        self.count = 0
        self.keys: dict[int, _KeyParts] = {}

    def _key(self, key_id: int) -> _KeyParts:
        parts = self.keys.get(key_id)
        if parts is None:
            parts = self.keys[key_id] = _KeyParts()
        return parts

    def _flush_rows(self) -> None:
        if self.row_steps:
            self.steps.append(np.array(self.row_steps, dtype=np.int64))
            self.ts.append(np.array(self.row_ts, dtype=np.float64))
            self.row_steps, self.row_ts = [], []

    def add(self, event) -> None:
        if isinstance(event, HistoryColumns):
            self._add_block(event.cols)
        elif isinstance(event, HistoryFragment):
            self._add_row(event)
        elif isinstance(event, RunStarted) and event.start.start_time:
            self.start = event.start.start_time

    def _add_block(self, cols) -> None:
        self._flush_rows()
        idx = np.arange(self.count, self.count + cols.count, dtype=np.int64)
        for key, col in zip(cols.float_keys.tolist(), cols.float_cols):
            self._key(key).add_many(idx, col, "f")
        for key, col in zip(cols.int_keys.tolist(), cols.int_cols):
            self._key(key).add_many(idx, col, "i")
        self.steps.append(cols.steps)
        self.ts.append(cols.timestamps)
        self.count += cols.count

    def _add_row(self, row: HistoryFragment) -> None:
        i = self.count
        for key, value in zip(row.float_keys, row.float_values):
            self._key(key).add_one(i, value, "f")
        for key, value in zip(row.int_keys, row.int_values):
            self._key(key).add_one(i, value, "i")
        for key, value in row.items:
            self._key(key).add_one(i, value, "o")
        self.row_steps.append(row.step)
        self.row_ts.append(row.timestamp)
        self.count += 1

    def finish(self, keys: Sequence[str] | None) -> dict[str, np.ndarray]:
        self._flush_rows()
        steps = np.concatenate(self.steps) if self.steps else np.zeros(0, np.int64)
        ts = np.concatenate(self.ts) if self.ts else np.zeros(0, np.float64)
        new_row = np.ones(len(steps), dtype=bool)
        new_row[1:] = steps[1:] != steps[:-1]
        row_of = np.cumsum(new_row) - 1
        last_frag = np.append(new_row[1:], True) if len(steps) else new_row
        n_rows = int(new_row.sum())
        by_name: dict[str, list[_KeyParts]] = {}
        for key_id, parts in self.keys.items():
            if self.names[key_id]:  # not a reserved or empty name
                by_name.setdefault(self.names[key_id], []).append(parts)
        wanted = list(by_name) if keys is None else [k for k in keys if k not in _SYSTEM]
        columns, present = {}, np.zeros(n_rows, dtype=bool)
        for name in wanted:
            col, has = _merge_key(by_name.get(name, []), row_of, n_rows)
            columns[name] = col
            present |= has
        start = self.start if self.start is not None else (ts[0] if len(ts) else 0.0)
        row_ts = ts[last_frag]
        out = {"_step": steps[new_row], "_timestamp": row_ts, "_runtime": row_ts - start}
        out.update(columns)
        if keys is not None:
            out = {k: v[present] for k, v in out.items()}
        return out


def _merge_key(parts: list[_KeyParts], row_of: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """A key's row-aligned column (the last fragment's value per row) and
    the mask of rows that have it."""
    if not parts:
        return np.full(n_rows, np.nan), np.zeros(n_rows, dtype=bool)
    finished = [p.finish() for p in parts]
    kinds = set().union(*(p.kinds for p in parts))
    idx = np.concatenate([f[0] for f in finished])
    vals = _concat_values([f[1] for f in finished])
    if len(finished) > 1:
        order = np.argsort(idx, kind="stable")
        idx, vals = idx[order], vals[order]
    rows = row_of[idx]
    last = np.append(rows[1:] != rows[:-1], True) if len(rows) else np.zeros(0, dtype=bool)
    rows, vals = rows[last], vals[last]
    has = np.zeros(n_rows, dtype=bool)
    has[rows] = True
    if vals.dtype == object:
        col = np.full(n_rows, None, dtype=object)
    elif kinds == {"i"} and has.all():
        col = np.empty(n_rows, dtype=np.int64)
    else:
        col = np.full(n_rows, np.nan)
    col[rows] = vals
    return col, has


def _concat_values(arrays: list[np.ndarray]) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    if len({a.dtype for a in arrays}) == 1:
        return np.concatenate(arrays)
    if any(a.dtype == object for a in arrays):
        out = np.empty(sum(len(a) for a in arrays), dtype=object)
        out[:] = [v for a in arrays for v in a.tolist()]
        return out
    return np.concatenate([a.astype(np.float64) for a in arrays])
