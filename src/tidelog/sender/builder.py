"""Trainer frames in, WAL records out.

For each frame, in order:

* frames numbered at or below the last one already in the WAL are dropped
  (a restarted sender re-reads what its predecessor wrote but had not yet
  acknowledged);
* the sender assigns the WAL sequence number, moving it to the front of the
  record (``transport.fastpath`` explains the trailer the trainer writes);
* runs of consecutive fast-path history rows with the same key layout become
  columnar ``HistoryBlock`` records (the proto defines one as equivalent to
  the rows it holds) of at most ``DEFAULT_CHUNK_ROWS`` rows and about
  ``DEFAULT_CHUNK_BYTES`` of row bytes each, so that every block fits in one
  WAL chunk of the writer's damage radius (``docs/wal-format.md``);
* media placeholders are replaced by the encoders' values
  (``sender.encode_pool``: one thread per core, results in frame order);
* a ``TransportMark`` closes every batch that held trainer frames, and
  follows every full block: the writer splits a long batch into chunks, and
  a sender that dies between two of them leaves a mark naming the last
  frame it wrote, so its successor neither loses nor repeats those rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.records.wire import (
    TAG_CONSOLE,
    TAG_EXIT,
    TAG_HISTORY,
    TAG_ROW_FLOAT_KEYS,
    TAG_ROW_FLOAT_VALUES,
    TAG_ROW_INT_KEYS,
    TAG_ROW_INT_VALUES,
    TAG_ROW_STEP,
    TAG_ROW_TIMESTAMP,
    TRAILER_SIZE,
    frame_no,
    read_varint,
    stamp,
    strip_trailer,
)
from tidelog.sender.console_lines import Line, LineAssembler, OutputLog
from tidelog.sender.encode_pool import MediaEncoder
from tidelog.transport.fastpath import console_packer, console_utf8
from tidelog.transport.frames import TAG_CONSOLE_LINES, TAG_MEDIA, TAG_RECORD, console_entries
from tidelog.wal.writer import DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_ROWS

__all__ = ["RecordBuilder"]

_KEY_LISTS = (TAG_ROW_FLOAT_KEYS, TAG_ROW_INT_KEYS)
_MIN_BLOCK_ROWS = 2
_BLOCK_ROW_BYTES = DEFAULT_CHUNK_BYTES - 4096   # room for the block's own fields and the chunk's framing


def block_rows(row_bytes: int) -> int:
    """Most rows of ``row_bytes`` each that one HistoryBlock may hold: it must
    fit a WAL chunk (``DEFAULT_CHUNK_ROWS`` rows, ``DEFAULT_CHUNK_BYTES`` raw).
    A block's columns take at most the rows' own bytes (8 per value, step and
    timestamp), so the row length bounds them."""
    return max(1, min(DEFAULT_CHUNK_ROWS, _BLOCK_ROW_BYTES // max(row_bytes, 1)))


class _RowTemplate:
    """The sender's template for fast-path rows of one layout: where each column sits in the payload, so a run
    of such rows becomes one HistoryBlock without decoding each row (the trainer packs them with ``RowPacker``)."""

    __slots__ = ("prefix", "length", "max_rows", "float_ids", "int_ids", "float_off", "int_off", "step_off",
                 "ts_off")

    def __init__(self, payload: bytes) -> None:
        row = pb.Record.FromString(payload).history
        self.length = len(payload)
        self.max_rows = block_rows(self.length)
        self.float_ids = list(row.float_keys)
        self.int_ids = list(row.int_keys)
        self.float_off = self.int_off = self.step_off = self.ts_off = -1
        _, pos = read_varint(payload, 1)          # HistoryRow length
        while pos < self.length - TRAILER_SIZE:
            tag = payload[pos]
            pos += 1
            if tag == TAG_ROW_STEP:
                self.step_off, pos = pos, pos + 8
            elif tag == TAG_ROW_TIMESTAMP:
                self.ts_off, pos = pos, pos + 8
            else:                                   # packed: key lists, value lists
                n, pos = read_varint(payload, pos)
                if tag == TAG_ROW_FLOAT_VALUES:
                    self.float_off = pos
                elif tag == TAG_ROW_INT_VALUES:
                    self.int_off = pos
                pos += n
        if self.step_off < 0 or self.ts_off < 0:
            raise ValueError("not a fast-path history row")
        self.prefix = bytes(payload[: min(o for o in (self.float_off, self.int_off, self.step_off) if o >= 0)])


def _frame_no(tag: int, payload) -> int:
    """The trainer's frame number: the trailer of the frame's record (frames.py has each layout)."""
    if tag == TAG_MEDIA:  # u32 record length, then the record
        return frame_no(payload[: 4 + int.from_bytes(payload[:4], "little")])
    if tag == TAG_CONSOLE_LINES:  # u64 frame number, then entries
        return int.from_bytes(payload[:8], "little")
    return frame_no(payload)


def _prefix_len(payload) -> int:
    """Bytes of a fast-path row before its first value: row length, key lists, first value length."""
    _, pos = read_varint(payload, 1)
    while payload[pos] in _KEY_LISTS:
        n, pos = read_varint(payload, pos + 1)
        pos += n
    _, pos = read_varint(payload, pos + 1)      # the first packed value field's length
    return pos


def _is_fast_row(payload) -> bool:
    """Fast-path rows start their HistoryRow with the key lists, library rows with step/timestamp."""
    if payload[0] != TAG_HISTORY:
        return False
    pos = 1
    while payload[pos] & 0x80:
        pos += 1
    return payload[pos + 1] in _KEY_LISTS


class RecordBuilder:
    """The sender's turn of trainer frames into serialized WAL records (the steps are in the module docstring).

    Contract: ``build(frames)`` returns the records of one batch in frame order, each frame at most once
    (frames at or below ``last_frame`` are skipped), with consecutive sequence numbers from ``seq``, ending
    with a ``TransportMark`` when the batch held a new frame; ``record()`` numbers a record the sender adds
    itself. Not thread-safe: the sender's loop is its one caller. ``close()`` stops the media encoders.
    """

    def __init__(self, run_dir: Path, next_seq: int, last_frame: int, workers: int | None = None) -> None:
        self.run_dir = run_dir
        self.seq = next_seq
        self.last_frame = last_frame
        self.exit_seen = False
        self.notices: list[str] = []
        self._layouts: dict[tuple[int, bytes], _RowTemplate] = {}
        self.media = MediaEncoder(run_dir, workers)
        self.console = LineAssembler()
        self.output_log = OutputLog(run_dir, self.notices)

    def close(self) -> None:
        self.media.close()

    # -- one batch ---------------------------------------------------------

    def build(self, frames: list) -> list[bytes]:
        out: list[bytes] = []
        rows: list = []                 # consecutive fast rows of one layout
        layout: _RowTemplate | None = None
        last = self.last_frame
        media = self.media.start(frames, lambda tag, payload: _frame_no(tag, payload) > last)
        took_any = False
        printed: list[Line] = []        # consecutive finished console lines: written out together
        for i, (tag, payload) in enumerate(frames):
            frame = _frame_no(tag, payload)
            if frame <= self.last_frame:
                continue
            self.last_frame = frame
            took_any = True
            # Lines printed between rows do not break the rows' block: they follow it.
            if tag == TAG_CONSOLE_LINES:
                printed.extend(self.console.feed_entries(console_entries(payload)))
                continue
            if tag == TAG_RECORD and payload[0] == TAG_CONSOLE:   # the fd-level capture's chunk
                c = pb.Record.FromString(strip_trailer(payload)).console
                printed.extend(self.console.feed(c.stream, c.timestamp, c.text))
                continue
            if tag == TAG_MEDIA:
                self._flush_rows(out, rows, layout, printed)
                rows, layout = [], None
                record, futures = media[i]
                out.append(self.record(self.media.finish(record, futures, self.notices)))
                continue
            lay = self._fast_layout(payload, layout)
            if lay is not None:
                if lay is not layout or len(rows) >= lay.max_rows:
                    self._flush_rows(out, rows, layout, printed)
                    if rows and len(rows) >= layout.max_rows:  # type: ignore[union-attr]  # rows gather under a layout
                        out.append(self._mark(_frame_no(TAG_RECORD, rows[-1])))
                    rows, layout = [], lay
                rows.append(payload)
                continue
            self._flush_rows(out, rows, layout, printed)
            rows, layout = [], None
            if payload[0] == TAG_EXIT:
                self.exit_seen = True
                out.extend(self.console_lines(self.console.flush()))
            out.append(self._stamp(payload))
        self._flush_rows(out, rows, layout, printed)
        self.media.settle(media)
        if took_any:
            out.append(self._mark(self.last_frame))
        return out

    def console_lines(self, lines: list[Line]) -> list[bytes]:
        """Records of finished console lines (also appended to files/output.log, one write for all)."""
        if not lines:
            return []
        self.output_log.append(lines)
        seq = self.seq
        self.seq += len(lines)
        out: list[bytes] = []
        append, packer = out.append, console_packer
        for n, (stream, ts, text) in enumerate(lines, seq):   # the library's bytes, packed in one call
            data = console_utf8(text)
            append(packer(stream, len(data)).record(ts, data, n))
        return out

    def _mark(self, frame: int) -> bytes:
        return self.record(pb.Record(mark=pb.TransportMark(frame=frame)))

    def record(self, rec: pb.Record) -> bytes:
        """Serialize a record the sender itself adds, with the next sequence number."""
        rec.seq = self.seq
        self.seq += 1
        return rec.SerializeToString()

    def _stamp(self, payload) -> bytes:
        data = stamp(self.seq, payload)
        self.seq += 1
        return data

    # -- history rows --------------------------------------------------------

    def _fast_layout(self, payload, current: _RowTemplate | None) -> _RowTemplate | None:
        """The layout of a fast-path row, or None for any other record.

        Rows of one layout share their bytes up to the first value (the key
        lists and value lengths) and their length; the cache is keyed by
        exactly that, never by value bytes.
        """
        if not _is_fast_row(payload):
            return None
        if current is not None and len(payload) == current.length and payload[: len(current.prefix)] == current.prefix:
            return current
        key = (len(payload), bytes(payload[: _prefix_len(payload)]))
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._layouts[key] = _RowTemplate(bytes(payload))
        return lay

    def _flush_rows(self, out: list[bytes], rows: list, lay: _RowTemplate | None, printed: list[Line]) -> None:
        """The rows gathered under ``lay``, then the console lines printed meanwhile (``printed`` is emptied)."""
        self._rows_out(out, rows, lay)
        if printed:
            out.extend(self.console_lines(printed))
            printed.clear()

    def _rows_out(self, out: list[bytes], rows: list, lay: _RowTemplate | None) -> None:
        """Rows of one layout: one ``HistoryBlock`` record (one record each below ``_MIN_BLOCK_ROWS``)."""
        if not rows:
            return
        if len(rows) < _MIN_BLOCK_ROWS:
            out.extend(self._stamp(p) for p in rows)
            return
        assert lay is not None  # noqa: S101 - narrows the type: rows gather only under a layout
        n = len(rows)
        raw = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(n, lay.length)
        nf, ni = len(lay.float_ids), len(lay.int_ids)

        def col(off: int, count: int, dtype: str) -> np.ndarray:
            return np.ascontiguousarray(raw[:, off : off + 8 * count]).view(dtype).reshape(n, count).T

        block = encode_block(
            steps=col(lay.step_off, 1, "<i8")[0],
            timestamps=col(lay.ts_off, 1, "<f8")[0],
            float_keys=lay.float_ids,
            float_cols=col(lay.float_off, nf, "<f8"),
            int_keys=lay.int_ids,
            int_cols=col(lay.int_off, ni, "<i8"),
        )
        out.append(pb.Record(seq=self.seq, history_block=block).SerializeToString())
        self.seq += n
