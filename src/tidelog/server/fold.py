"""One ingest batch of WAL records, folded into what the server stores.

``fold(records, known_keys)`` is pure: it reads the records with the
library's one reader (``read.events``), strictly (a record the reader would
skip or read as text, the server refuses), and returns a ``Batch``: the run fields the
batch sets (``RunStart``, config, summary updates, metric definitions, exit),
new key names, history fragments gathered into a ``BlockBuilder``, console
lines, system samples and file references. Nothing here touches the database
or the store; ``ingest`` does, under the run's lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from tidelog.read import events as ev
from tidelog.read.chunks import StreamRecord
from tidelog.records import pb
from tidelog.server.blocks import BlockBuilder

__all__ = ["Batch", "BadBatch", "fold", "file_refs"]


class BadBatch(ValueError):
    """A record of the batch cannot be stored (the API answers 400)."""


@dataclass
class Batch:
    first_seq: int = 0
    last_seq: int = 0
    records: int = 0
    start: pb.RunStart | None = None
    config_set: dict[str, Any] = field(default_factory=dict)
    config_remove: list[str] = field(default_factory=list)
    summary_ops: list[tuple[str, Any]] = field(default_factory=list)  # ("set", {id: v}) | ("remove", [id])
    metrics: dict[str, dict] = field(default_factory=dict)
    exit: pb.RunExit | None = None
    new_keys: dict[int, str] = field(default_factory=dict)
    history: BlockBuilder = field(default_factory=BlockBuilder)
    last_values: dict[int, Any] = field(default_factory=dict)  # key id -> last value logged
    console: list[list] = field(default_factory=list)  # [seq, stream, t, text]
    system: list[list] = field(default_factory=list)  # [seq, t, {name: value}]
    files: dict[str, tuple[str, int | None, str]] = field(default_factory=dict)  # path -> sha, size, kind
    notices: list[str] = field(default_factory=list)
    resumed: bool = False


_HASHED_NAME = re.compile(r"(?:^|/)([0-9a-f]{64})\.[A-Za-z0-9.]+$")


def file_refs(value: Any, out: dict[str, tuple[str, int | None, str]]) -> None:
    """Every media file inside a logged value: each ``{"path": ..., "sha256": ...}``,
    and each name in a list value's ``filenames`` (``images/separated``: files
    named ``media/<kind>/<sha256>.<ext>`` by their content hash, no size given)."""
    if isinstance(value, dict):
        path, sha = value.get("path"), value.get("sha256")
        if isinstance(path, str) and isinstance(sha, str):
            size = value.get("size")
            out[path] = (sha, size if isinstance(size, int) else None, "media")
        names = value.get("filenames")
        if isinstance(names, list):
            for name in names:
                m = _HASHED_NAME.search(name) if isinstance(name, str) else None
                if m and name.startswith("media/"):
                    out.setdefault(name, (m.group(1), None, "media"))
        for v in value.values():
            file_refs(v, out)
    elif isinstance(value, list):
        for v in value:
            file_refs(v, out)


def _parse(rec: StreamRecord) -> pb.Record:
    msg = pb.Record()
    try:
        msg.ParseFromString(rec.data)
    except DecodeError as err:
        raise BadBatch(f"record seq {rec.seq}: not a tidelog record ({err})") from None
    return msg


def fold(records: list[StreamRecord], max_key_len: int) -> Batch:
    b = Batch(first_seq=records[0].seq, last_seq=records[-1].last_seq, records=len(records))
    for e in ev.events(_parse(rec) for rec in records):
        if isinstance(e, ev.HistoryColumns):
            cols = e.cols
            if cols.count:
                b.history.add_columns(cols.steps, cols.timestamps, cols.float_keys, cols.float_cols,
                                      cols.int_keys, cols.int_cols)
                b.last_values.update(e.last_values())
        elif isinstance(e, ev.HistoryFragment):
            floats = dict(zip(e.float_keys, e.float_values))
            ints = dict(zip(e.int_keys, e.int_values))
            others = dict(e.items)
            b.history.add_row(e.step, e.timestamp, floats, ints, others)
            b.last_values.update(floats)
            b.last_values.update(ints)
            b.last_values.update(others)
            for v in others.values():
                file_refs(v, b.files)
        elif isinstance(e, ev.Damage):
            raise BadBatch(f"record seq {e.seq}: bad {e.reason}")
        elif isinstance(e, ev.KeyDefined):
            if not e.name or len(e.name) > max_key_len:
                raise BadBatch(f"record seq {e.seq}: key name {e.name[:80]!r} is empty or longer "
                               f"than {max_key_len} characters")
            b.new_keys[e.key_id] = e.name
        elif isinstance(e, ev.RunStarted):
            b.start = e.start
        elif isinstance(e, ev.ConfigChanged):
            if e.not_json:
                raise BadBatch(f"record seq {e.seq}: config value of {e.not_json[0]!r} is not JSON")
            for k, v in e.set.items():
                b.config_set[k] = v
                if k in b.config_remove:
                    b.config_remove.remove(k)
            for k in e.remove:
                b.config_set.pop(k, None)
                b.config_remove.append(k)
        elif isinstance(e, ev.SummaryChanged):
            for v in e.set.values():
                file_refs(v, b.files)
            b.summary_ops.append(("set", e.set))
            if e.remove:
                b.summary_ops.append(("remove", e.remove))
        elif isinstance(e, ev.MetricDefined):
            m = e.metric
            b.metrics[m.name] = {"name": m.name, "step_metric": m.step_metric, "step_sync": m.step_sync,
                                 "summary": list(m.summary), "goal": m.goal, "hidden": m.hidden}
        elif isinstance(e, ev.ConsoleLine):
            b.console.append([e.seq, e.stream, e.timestamp, e.text])
        elif isinstance(e, ev.SystemSample):
            b.system.append([e.seq, e.timestamp, e.stats])
        elif isinstance(e, ev.FileStored):
            b.files[e.path] = (e.sha256, e.size, e.kind)
        elif isinstance(e, ev.Exited):
            b.exit = e.exit
        elif isinstance(e, ev.NoticeLogged):
            b.notices.append(e.notice.message)
        elif isinstance(e, ev.Resumed):
            b.resumed = True
    return b


def value_type(values: list[Any]) -> str:
    """The catalog type of a key's non-numeric values."""
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, (int, float)):
            kinds.add("number")
        elif isinstance(v, str):
            kinds.add("string")
        elif isinstance(v, dict) and isinstance(v.get("_type"), str):
            kinds.add(v["_type"])
        else:
            kinds.add("json")
    return kinds.pop() if len(kinds) == 1 else "mixed"


def numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "fiu"
