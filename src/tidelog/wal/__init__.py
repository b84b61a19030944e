"""The write-ahead log: segment files of checksummed, zstd-compressed chunks
of length-prefixed ``Record`` messages. The byte format is specified in
``docs/wal-format.md``; ``format`` implements it, ``writer`` appends,
``reader`` recovers, ``verify`` reports integrity.
"""

from tidelog.wal.format import FORMAT_VERSION
from tidelog.wal.reader import Chunk, Damage, TornTail, WalReader
from tidelog.wal.verify import VerifyReport, verify_wal
from tidelog.wal.writer import FsyncPolicy, WalWriter

__all__ = [
    "FORMAT_VERSION",
    "Chunk",
    "Damage",
    "TornTail",
    "WalReader",
    "FsyncPolicy",
    "WalWriter",
    "VerifyReport",
    "verify_wal",
]
