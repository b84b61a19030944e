"""One ingest batch of WAL records, folded into what the server stores.

``fold(records, known_keys)`` is pure: it decodes the records with the
library's own decoders (``records.history_block.decode_block``,
``read.history.decode_value``) and returns a ``Batch``: the run fields the
batch sets (``RunStart``, config, summary updates, metric definitions, exit),
new key names, history fragments gathered into a ``BlockBuilder``, console
lines, system samples and file references. Nothing here touches the database
or the store; ``ingest`` does, under the run's lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from tidelog.read.chunks import StreamRecord
from tidelog.read.history import decode_value
from tidelog.records import pb
from tidelog.records.history_block import decode_block
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


def file_refs(value: Any, out: dict[str, tuple[str, int | None, str]]) -> None:
    """Every ``{"path": ..., "sha256": ...}`` inside a logged value."""
    if isinstance(value, dict):
        path, sha = value.get("path"), value.get("sha256")
        if isinstance(path, str) and isinstance(sha, str):
            size = value.get("size")
            out[path] = (sha, size if isinstance(size, int) else None, "media")
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
    for rec in records:
        msg = _parse(rec)
        kind = msg.WhichOneof("kind")
        if kind == "history_block":
            try:
                cols = decode_block(msg.history_block)
            except ValueError as err:
                raise BadBatch(f"record seq {rec.seq}: bad history block ({err})") from None
            if cols.count:
                b.history.add_columns(cols.steps, cols.timestamps, cols.float_keys, cols.float_cols,
                                      cols.int_keys, cols.int_cols)
                for k, col in zip(cols.float_keys.tolist(), cols.float_cols):
                    b.last_values[k] = float(col[-1])
                for k, col in zip(cols.int_keys.tolist(), cols.int_cols):
                    b.last_values[k] = int(col[-1])
        elif kind == "history":
            h = msg.history
            floats = dict(zip(h.float_keys, h.float_values))
            ints = dict(zip(h.int_keys, h.int_values))
            others = {item.key: decode_value(item.value) for item in h.items}
            b.history.add_row(h.step, h.timestamp, floats, ints, others)
            b.last_values.update(floats)
            b.last_values.update(ints)
            b.last_values.update(others)
            for v in others.values():
                file_refs(v, b.files)
        elif kind == "key":
            if not msg.key.name or len(msg.key.name) > max_key_len:
                raise BadBatch(f"record seq {rec.seq}: key name {msg.key.name[:80]!r} is empty or longer "
                               f"than {max_key_len} characters")
            b.new_keys[msg.key.id] = msg.key.name
        elif kind == "run_start":
            b.start = msg.run_start
        elif kind == "config":
            for k, v in msg.config.set.items():
                try:
                    b.config_set[k] = json.loads(v)
                except ValueError:
                    raise BadBatch(f"record seq {rec.seq}: config value of {k!r} is not JSON") from None
                if k in b.config_remove:
                    b.config_remove.remove(k)
            for k in msg.config.remove:
                b.config_set.pop(k, None)
                b.config_remove.append(k)
        elif kind == "summary":
            values = {item.key: decode_value(item.value) for item in msg.summary.set}
            for v in values.values():
                file_refs(v, b.files)
            b.summary_ops.append(("set", values))
            if msg.summary.remove:
                b.summary_ops.append(("remove", list(msg.summary.remove)))
        elif kind == "metric":
            m = msg.metric
            b.metrics[m.name] = {"name": m.name, "step_metric": m.step_metric, "step_sync": m.step_sync,
                                 "summary": list(m.summary), "goal": m.goal, "hidden": m.hidden}
        elif kind == "console":
            c = msg.console
            b.console.append([rec.seq, "stderr" if c.stream == pb.ConsoleOutput.STDERR else "stdout",
                              c.timestamp, c.text])
        elif kind == "stats":
            b.system.append([rec.seq, msg.stats.timestamp, dict(msg.stats.stats)])
        elif kind == "file":
            f = msg.file
            b.files[f.path] = (f.sha256, f.size, f.kind or "user")
        elif kind == "exit":
            b.exit = msg.exit
        elif kind == "notice":
            b.notices.append(msg.notice.message)
        elif kind == "resume":
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
