"""Changing a finished run after the fact: ``api.run(...).summary.update()``.

``RunSummary`` (what ``tidelog.Api().run(...).summary`` is) collects changes
(``summary[k] = v``, ``del summary[k]``, ``summary["d"]["z"] = 1``) until
``update()``, as W&B's public API does; ``update()`` writes them all. The change is appended
to the run's WAL as ordinary records (``KeyDef`` for
new keys, one ``SummaryUpdate``), so the WAL stays the single source of
truth and ``tidelog sync`` uploads the amendment like anything else. Arrays
and rich values are encoded here, in the caller's process: there is no
training loop to protect. The run's lock is held meanwhile, so a sender
cannot start writing at the same time; a running run is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tidelog.api.keys import KeyTable
from tidelog.api.summary import SummarySubDict, replace_at
from tidelog.api.values import to_fields
from tidelog.errors import UsageError
from tidelog.records import pb
from tidelog.rundir import RunDir
from tidelog.runlock import SENDER, TRAINER, is_held, try_hold
from tidelog.transport.frames import PENDING_KEY
from tidelog.wal import WalWriter

__all__ = ["amend_summary", "RunSummary"]


def _lock(run_dir: Path) -> int:
    fd = None if is_held(run_dir, TRAINER) else try_hold(run_dir, SENDER)
    if fd is None:
        raise UsageError(f"the run at {run_dir} is still running; set its summary from the training script")
    return fd


def amend_summary(run_dir: Path, values: dict[str, Any], remove: Any = ()) -> dict[str, Any]:
    """Append ``values`` to the run's summary and drop the keys in ``remove``; returns the values as a
    reader will see them."""
    from tidelog.media import encode
    from tidelog.read.run import RunState

    fd = _lock(run_dir)
    try:
        state = RunState.load(run_dir)
        new_keys: list[pb.Record] = []
        keys = KeyTable(lambda kid, name: new_keys.append(pb.Record(key=pb.KeyDef(id=kid, name=name))))
        for name, kid in state.keys.items():
            keys.load(kid, name)
        fields = to_fields(values, keys, summary=True)
        update = pb.SummaryUpdate(set=fields.pb_items())
        update.remove.extend(keys.id_for(k, None) for k in remove)
        stored = dict(fields.plain)
        names = keys.names()
        for item in update.set:
            if item.value.json.startswith('{"' + PENDING_KEY):
                p = fields.prepared[json.loads(item.value.json)[PENDING_KEY]]
                encoded = encode(p.kind, p.meta, p.arrays, run_dir)
                item.value.json = json.dumps(encoded, separators=(",", ":"))
                stored[names[item.key]] = encoded
        writer = WalWriter(RunDir(run_dir).wal, fsync="batch")
        try:
            seq = writer.last_seq
            out = []
            for rec in new_keys + [pb.Record(summary=update)]:
                seq += 1
                rec.seq = seq
                out.append(rec.SerializeToString())
            writer.append(out)
        finally:
            writer.close()
        return stored
    finally:
        os.close(fd)


class RunSummary(dict):
    """A finished run's summary; ``update()`` appends the changes made since to its WAL."""

    def __init__(self, run: Any, values: dict[str, Any]) -> None:
        super().__init__(values)
        self._run = run
        self._changed: dict[str, Any] = {}
        self._removed: set[str] = set()

    def __missing__(self, key: str) -> dict[str, Any]:
        """W&B's nested access to dotted metrics: ``summary["val"]["loss"]`` is ``summary["val.loss"]``."""
        prefix = f"{key}."
        nest: dict[str, Any] = {}
        for name, value in self.items():
            if isinstance(name, str) and name.startswith(prefix):
                *parents, leaf = name[len(prefix):].split(".")
                node = nest
                for part in parents:
                    child = node.setdefault(part, {})
                    node = child if isinstance(child, dict) else node
                node[leaf] = value
        if not nest:
            raise KeyError(key)
        return nest

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed[key] = value
        self._removed.discard(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed.pop(key, None)
        self._removed.add(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            value = dict.__getitem__(self, key)
            del self[key]
            return value
        return super().pop(key, *default)

    def _nested_changed(self, path: tuple, value: dict) -> None:
        top = path[0]
        self[top] = replace_at(dict.get(self, top), path[1:], value)

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return SummarySubDict(value, (key,), self._nested_changed) if isinstance(value, dict) else value

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - self.get() is this method

    def update(self, d: dict | None = None, **kwargs: Any) -> None:  # type: ignore[override]  # W&B's signature: a dict and/or keywords
        for k, v in {**dict(d or {}), **kwargs}.items():
            self[k] = v
        if not self._changed and not self._removed:
            return
        stored = amend_summary(Path(self._run.dir), self._changed, sorted(self._removed))
        super().update(stored)
        self._changed, self._removed = {}, set()
