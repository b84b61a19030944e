"""Reading runs back: history rows and columns derived from the WAL.

``HistoryReader`` turns a stream of ``pb.Record`` (usually a
``tidelog.wal.WalReader``) into W&B-style history rows or numpy columns.

    events   the one reader of WAL records: pb.Record in, typed events out
    history  HistoryReader: rows and columns (consumes events)
    run      RunState: identity, config, summary, state (consumes events)
    tail     the last transport mark, without reading the whole WAL
    chunks   WAL chunks as a byte stream (what sync sends, the server reads)
"""

from tidelog.read.history import HistoryReader, decode_value

__all__ = ["HistoryReader", "decode_value"]
