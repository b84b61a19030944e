"""Changing a finished run after the fact: ``api.run(...).summary.update()``.

The change is appended to the run's WAL as ordinary records (``KeyDef`` for
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
from tidelog.api.values import to_fields
from tidelog.errors import UsageError
from tidelog.records import pb
from tidelog.runlock import SENDER, TRAINER, is_held, try_hold
from tidelog.transport.frames import PENDING_KEY
from tidelog.wal import WalWriter

__all__ = ["amend_summary"]


def _lock(run_dir: Path) -> int:
    fd = None if is_held(run_dir, TRAINER) else try_hold(run_dir, SENDER)
    if fd is None:
        raise UsageError(f"the run at {run_dir} is still running; set its summary from the training script")
    return fd


def amend_summary(run_dir: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Append ``values`` to the run's summary; returns them as a reader will see them."""
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
        stored = dict(fields.plain)
        names = keys.names()
        for item in update.set:
            if item.value.json.startswith('{"' + PENDING_KEY):
                p = fields.prepared[json.loads(item.value.json)[PENDING_KEY]]
                encoded = encode(p.kind, p.meta, p.arrays, run_dir)
                item.value.json = json.dumps(encoded, separators=(",", ":"))
                stored[names[item.key]] = encoded
        writer = WalWriter(run_dir / "wal", fsync="batch")
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
