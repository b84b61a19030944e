"""Reading runs back: history rows and columns derived from the WAL.

``HistoryReader`` turns a stream of ``pb.Record`` (usually a
``tidelog.wal.WalReader``) into W&B-style history rows or numpy columns.
"""

from tidelog.read.history import HistoryReader, decode_value

__all__ = ["HistoryReader", "decode_value"]
