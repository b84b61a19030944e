"""Console chunks -> one ``ConsoleOutput`` record per line, in the sender.

The trainer's tee (transport/console.py) sends raw chunks as they were read;
here they become lines as W&B's ``output.log`` has them:

* a line ends at ``\\n``; its timestamp is when its first byte was read;
* ``\\r`` moves back to the start of the line and what follows overwrites
  it, as a terminal does, so a progress bar redrawn a thousand times is
  stored once, in its final state (``"50%\\r100%\\n"`` -> ``"100%"``); ``\\r\\n``
  keeps the line;
* colours and other escape sequences are kept as written (W&B keeps them too);
* a line still open when the run ends (no final newline) is stored as it
  stands when the exit record arrives, or when a crashed trainer's leftovers
  have been read; a line longer than ``MAX_LINE`` characters is cut there.

Also here: ``ConsoleFds``, the trainer's capture descriptors the sender
holds (``--console-fds``), drained once the trainer is gone so that what it
printed just before a ``kill -9`` is kept and still reaches the terminal.
"""

from __future__ import annotations

import codecs
import os
import select
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO, cast

from tidelog.records import pb

__all__ = ["LineAssembler", "Line", "ConsoleFds", "MAX_LINE"]

MAX_LINE = 1 << 20

Line = tuple[int, float, str]   # a finished line: (ConsoleOutput stream, time of its first byte, text)


@dataclass
class _Line:
    text: str = ""
    col: int = 0
    t0: float | None = None


class LineAssembler:
    def __init__(self) -> None:
        self._open: dict[int, _Line] = {}

    def feed(self, stream: int, ts: float, text: str) -> list[Line]:
        line = self._open.get(stream)
        if line is None:
            line = self._open[stream] = _Line()
        out = []
        pieces = text.split("\n")
        for piece in pieces[:-1]:   # each of these ends a line
            if line.t0 is None and "\r" not in piece and len(piece) < MAX_LINE:
                out.append((stream, ts, piece))   # a whole line as printed
                continue
            self._add(stream, line, ts, piece, out)
            if line.t0 is None:
                line.t0 = ts
            out.append(self._emit(stream, line))
        self._add(stream, line, ts, pieces[-1], out)   # the start of a line still open
        return out

    def feed_entries(self, entries: Iterable[tuple[int, float, str]]) -> list[Line]:
        """``feed`` of each ``(stream, time, text)``; an entry that is one whole line (a ``print``),
        on a stream with no line open, is taken as it is."""
        out: list[Line] = []
        opened = self._open
        for stream, ts, text in entries:
            last = len(text) - 1
            if (text.find("\n") == last >= 0 and "\r" not in text and last < MAX_LINE
                    and (stream not in opened or opened[stream].t0 is None)):
                out.append((stream, ts, text[:last]))
            else:
                out.extend(self.feed(stream, ts, text))
        return out

    def _add(self, stream: int, line: _Line, ts: float, piece: str, out: list[Line]) -> None:
        if piece:
            if line.t0 is None:
                line.t0 = ts
            _overlay(line, piece)
            if len(line.text) >= MAX_LINE:
                out.append(self._emit(stream, line))

    def flush(self) -> list[Line]:
        """Lines still open, as they stand."""
        out = [self._emit(s, line) for s, line in self._open.items() if line.t0 is not None]
        self._open.clear()
        return out

    @staticmethod
    def _emit(stream: int, line: _Line) -> Line:
        done = (stream, line.t0 or time.time(), line.text)
        line.text, line.col, line.t0 = "", 0, None
        return done


def _overlay(line: _Line, piece: str) -> None:
    """Write ``piece`` at the cursor, ``\\r`` returning it to column 0."""
    segments = piece.split("\r")
    for i, seg in enumerate(segments):
        if i:
            line.col = 0
        if not seg:
            continue
        if line.col == len(line.text):
            line.text += seg
        else:
            line.text = line.text[:line.col] + seg + line.text[line.col + len(seg):]
        line.col += len(seg)


class ConsoleFds:
    """The capture channels' read ends and the original fds, as the trainer passed them."""

    def __init__(self, spec: str) -> None:
        self.channels: list[tuple[int, int, pb.ConsoleOutput.Stream]] = []
        for part in filter(None, spec.split(",")):
            read_fd, orig_fd, stream = (int(x) for x in part.split(":"))
            # The trainer wrote the enum's number (transport/console.py); a cast, as protobuf enums are ints.
            self.channels.append((read_fd, orig_fd, cast(pb.ConsoleOutput.Stream, stream)))

    def drain(self) -> list[tuple[pb.ConsoleOutput.Stream, float, str]]:
        """What the trainer left unread: ``(stream, time, text)`` chunks, written through to its terminal."""
        out = []
        for read_fd, orig_fd, stream in self.channels:
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            while True:
                try:
                    ready, _, _ = select.select([read_fd], [], [], 0)
                    data = os.read(read_fd, 1 << 16) if ready else b""
                except OSError:   # EIO from a pty whose writers are gone, or a closed fd
                    data = b""
                if not data:
                    break
                _write_through(orig_fd, data)
                out.append((stream, time.time(), decoder.decode(data)))
            tail = decoder.decode(b"", final=True)
            if tail:
                out.append((stream, time.time(), tail))
        return out


def _write_through(fd: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass  # the terminal is gone too: the bytes are still stored


class OutputLog:
    """``files/output.log``, W&B's console file: every stored line, appended as it is built.

    The WAL's ``ConsoleOutput`` records are the truth (``Api`` reads those);
    this file is what ``tidelog sync`` uploads and the server serves, named
    by a ``FileRecord`` when the sender closes.
    """

    PATH = "files/output.log"

    def __init__(self, run_dir, notices: list[str]) -> None:
        self.path = run_dir / self.PATH
        self._f: TextIO | None = None
        self._failed = False
        self._notices = notices

    def append(self, lines: list[Line]) -> None:
        if not lines or self._failed:
            return
        try:
            if self._f is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Held open across appends and closed by close()/_drop_file(): no with-block fits.
                self._f = open(self.path, "a", encoding="utf-8", errors="replace")  # noqa: SIM115
            self._f.write("".join([text + "\n" for _s, _t, text in lines]))
            self._f.flush()
        except OSError as e:
            # A derived file: the lines are in the WAL's records (held and retried there when the
            # disk is full), and run.file("output.log") builds from those. Never a reason to stop.
            self._failed = True
            self._notices.append(f"{self.path} is incomplete from here on (writing it failed: {e}); the console "
                                 "lines are in the run's records, and run.file('output.log') reads them")
            self._drop_file()

    def _drop_file(self) -> None:
        if self._f is not None:
            try:
                self._f.close()
            except OSError:
                pass  # the same full disk: what was flushed stays, the rest is in the WAL
            self._f = None

    def close(self) -> pb.FileRecord | None:
        """The ``FileRecord`` naming the file, or None when there is none or it is incomplete."""
        if self._f is None or self._failed:
            self._drop_file()
            return None
        import hashlib

        try:
            self._f.close()
            self._f = None
            data = self.path.read_bytes()
        except OSError as e:
            self._f = None
            self._notices.append(f"{self.path} could not be completed ({e}); run.file('output.log') reads the records")
            return None
        return pb.FileRecord(path=self.PATH, sha256=hashlib.sha256(data).hexdigest(), size=len(data), kind="user")
