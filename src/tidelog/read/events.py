"""The one reader of WAL records: ``pb.Record`` in, typed events out.

``events(records, names)`` is the only place that dispatches on a record's
kind and decodes its values. ``RunState`` (``read.run``), ``HistoryReader``
(``read.history``), ``tidelog dump`` and the server's ingest fold all consume
it, so a rule about what a record means is written once:

* ``KeyDef`` records name key ids: ``names`` (a ``KeyNames``) learns each one
  before its ``KeyDefined`` event is yielded. A key id used without a
  ``KeyDef`` (its record lost to damage) is named ``_key<id>``.
* ``Value`` items are decoded to their Python value (``decode_value``: json is
  parsed, a json value that is not JSON reads as its text); config values
  likewise, with the keys whose text is not JSON listed in ``not_json``.
* A ``HistoryBlock`` is decoded once into columns (``HistoryColumns``); one
  whose bytes do not match its count is a ``Damage`` event, never an error.
* Total: no record a WAL can hold makes ``events`` raise. Event values keep
  key *ids*; ``KeyNames`` turns them into names for readers that want names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from tidelog.records import pb
from tidelog.records.history_block import BlockColumns, decode_block

__all__ = [
    "SYSTEM", "KeyNames", "events", "decode_json", "decode_value", "read_block",
    "Event", "KeyDefined", "RunStarted", "HistoryFragment", "HistoryColumns", "ConfigChanged",
    "SummaryChanged", "MetricDefined", "ConsoleLine", "SystemSample", "FileStored", "Exited",
    "NoticeLogged", "Resumed", "Damage", "OtherRecord",
]

SYSTEM = ("_step", "_timestamp", "_runtime")
"""Keys every history row has from its fragment itself; a value logged under one is ignored."""


def decode_json(text: str) -> Any:
    """Parsed JSON, or the text itself when it is not JSON (a reader never raises on a value)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def decode_value(value: pb.Value) -> Any:
    """The Python value of a ``Value``: float, int, bool, str or parsed JSON."""
    kind = value.WhichOneof("v")
    if kind == "json":
        return decode_json(value.json)
    if kind is None:
        return None
    return getattr(value, kind)


def read_block(block: pb.HistoryBlock) -> BlockColumns | None:
    """``decode_block(block)``, or None when its bytes do not match its count (skipped, not raised)."""
    try:
        return decode_block(block)
    except ValueError:
        return None


class KeyNames:
    """Key id -> name, from the ``KeyDef`` records seen so far.

    ``label(id)`` is the name as written (``_key<id>`` when undefined), for
    display and the summary; ``column(id)`` is the history column it fills:
    ``""`` (no column) for a reserved name (``SYSTEM``) or the empty name.
    """

    __slots__ = ("labels", "columns")

    def __init__(self) -> None:
        self.labels: dict[int, str] = {}
        self.columns: dict[int, str] = {}

    def define(self, key_id: int, name: str) -> None:
        self.labels[key_id] = name
        self.columns[key_id] = "" if name in SYSTEM else name

    def label(self, key_id: int) -> str:
        name = self.labels.get(key_id)
        return name if name is not None else f"_key{key_id}"

    def column(self, key_id: int) -> str:
        name = self.columns.get(key_id)
        return name if name is not None else f"_key{key_id}"

    __getitem__ = column


# -- events -------------------------------------------------------------------------
# Every event has ``seq`` (the record's sequence number) and ``record`` (the
# ``pb.Record`` it came from, for tools that show records as they are).


@dataclass(slots=True)
class Event:
    seq: int
    record: pb.Record


@dataclass(slots=True)
class KeyDefined(Event):
    key_id: int
    name: str


@dataclass(slots=True)
class RunStarted(Event):
    start: pb.RunStart


@dataclass(slots=True)
class HistoryFragment(Event):
    """One ``HistoryRow``: values by key id, floats, ints and decoded items apart."""

    step: int
    timestamp: float
    float_keys: Any
    float_values: Any
    int_keys: Any
    int_values: Any
    items: list[tuple[int, Any]]

    def values(self, names: KeyNames) -> dict[str, Any]:
        """The fragment's values by column name (reserved and empty names dropped)."""
        col = names.column
        out: dict[str, Any] = {col(k): v for k, v in zip(self.float_keys, self.float_values)}
        out.update((col(k), v) for k, v in zip(self.int_keys, self.int_values))
        out.update((col(k), v) for k, v in self.items)
        out.pop("", None)
        return out


@dataclass(slots=True)
class HistoryColumns(Event):
    """One ``HistoryBlock``, decoded: ``cols.count`` consecutive fragments as columns."""

    cols: BlockColumns

    def fragments(self, names: KeyNames) -> Iterator[tuple[int, float, dict[str, Any]]]:
        """``(step, timestamp, values by column name)`` per row of the block."""
        cols = self.cols
        fnames = [names.column(k) for k in cols.float_keys.tolist()]
        inames = [names.column(k) for k in cols.int_keys.tolist()]
        frows = zip(*cols.float_cols.tolist()) if fnames else repeat(())
        irows = zip(*cols.int_cols.tolist()) if inames else repeat(())
        for step, ts, fvals, ivals in zip(cols.steps.tolist(), cols.timestamps.tolist(), frows, irows):
            values = dict(zip(fnames, fvals))
            if inames:
                values.update(zip(inames, ivals))
            values.pop("", None)
            yield step, ts, values

    def last_values(self) -> dict[int, Any]:
        """Each key's value in the block's last row, by key id (floats, then ints)."""
        cols = self.cols
        out: dict[int, Any] = {k: float(c[-1]) for k, c in zip(cols.float_keys.tolist(), cols.float_cols)}
        out.update((k, int(c[-1])) for k, c in zip(cols.int_keys.tolist(), cols.int_cols))
        return out


@dataclass(slots=True)
class ConfigChanged(Event):
    set: dict[str, Any]
    remove: list[str]
    not_json: list[str]   # keys of ``set`` whose text is not JSON (read as the text)


@dataclass(slots=True)
class SummaryChanged(Event):
    set: dict[int, Any]
    remove: list[int]


@dataclass(slots=True)
class MetricDefined(Event):
    metric: pb.MetricDef


@dataclass(slots=True)
class ConsoleLine(Event):
    stream: str   # "stdout" | "stderr"
    timestamp: float
    text: str


@dataclass(slots=True)
class SystemSample(Event):
    timestamp: float
    stats: dict[str, float]


@dataclass(slots=True)
class FileStored(Event):
    path: str
    sha256: str
    size: int
    kind: str   # "user" when the record leaves it empty


@dataclass(slots=True)
class Exited(Event):
    exit: pb.RunExit


@dataclass(slots=True)
class NoticeLogged(Event):
    notice: pb.Notice


@dataclass(slots=True)
class Resumed(Event):
    resume: pb.Resume


@dataclass(slots=True)
class Damage(Event):
    """A record whose content cannot be read (today: a history block whose bytes do not match its count)."""

    reason: str


@dataclass(slots=True)
class OtherRecord(Event):
    """A record no reader folds (header, footer, transport mark, or an empty kind)."""

    kind: str | None


def _block(rec: pb.Record) -> Event:
    try:
        return HistoryColumns(rec.seq, rec, decode_block(rec.history_block))
    except ValueError as err:
        return Damage(rec.seq, rec, f"history block ({err})")


def _row(rec: pb.Record) -> Event:
    h = rec.history
    return HistoryFragment(rec.seq, rec, h.step, h.timestamp, h.float_keys, h.float_values, h.int_keys,
                           h.int_values, [(i.key, decode_value(i.value)) for i in h.items])


def _config(rec: pb.Record) -> Event:
    values, bad = {}, []
    for k, text in rec.config.set.items():
        try:
            values[k] = json.loads(text)
        except ValueError:
            values[k] = text
            bad.append(k)
    return ConfigChanged(rec.seq, rec, values, list(rec.config.remove), bad)


def _summary(rec: pb.Record) -> Event:
    s = rec.summary
    return SummaryChanged(rec.seq, rec, {i.key: decode_value(i.value) for i in s.set}, list(s.remove))


def _console(rec: pb.Record) -> Event:
    c = rec.console
    return ConsoleLine(rec.seq, rec, "stderr" if c.stream == pb.ConsoleOutput.STDERR else "stdout", c.timestamp,
                       c.text)


def _file(rec: pb.Record) -> Event:
    f = rec.file
    return FileStored(rec.seq, rec, f.path, f.sha256, f.size, f.kind or "user")


_DECODE = {
    "history_block": _block,
    "history": _row,
    "run_start": lambda r: RunStarted(r.seq, r, r.run_start),
    "config": _config,
    "summary": _summary,
    "metric": lambda r: MetricDefined(r.seq, r, r.metric),
    "console": _console,
    "stats": lambda r: SystemSample(r.seq, r, r.stats.timestamp, dict(r.stats.stats)),
    "file": _file,
    "exit": lambda r: Exited(r.seq, r, r.exit),
    "notice": lambda r: NoticeLogged(r.seq, r, r.notice),
    "resume": lambda r: Resumed(r.seq, r, r.resume),
}


def events(records: Iterable[pb.Record], names: KeyNames | None = None) -> Iterator[Event]:
    """The typed event of each record, in order; ``names`` learns every ``KeyDef`` first."""
    names = KeyNames() if names is None else names
    decode = _DECODE.get
    for rec in records:
        kind = rec.WhichOneof("kind")
        if kind == "key":
            names.define(rec.key.id, rec.key.name)
            yield KeyDefined(rec.seq, rec, rec.key.id, rec.key.name)
            continue
        fn = decode(kind)
        yield fn(rec) if fn is not None else OtherRecord(rec.seq, rec, kind)
