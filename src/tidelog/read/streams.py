"""A run's system metrics and console output, read back from its WAL (``tidelog.Api``).

* ``system_rows(run_dir)``: one dict per ``SystemStats`` sample, its keys the
  stored names (``system/cpu``, ``system/gpu.0.temp``, ...) plus
  ``_timestamp`` and ``_runtime`` (seconds since the run started), as W&B's
  ``run.history(stream="system")`` (alias ``"events"``) gives them.
* ``console_lines(run_dir)``: ``(stream, timestamp, text)`` per stored line,
  ``stream`` ``"stdout"`` or ``"stderr"``.
* ``output_log(run_dir)``: W&B's ``output.log`` text, one line per record,
  built from the records (the truth, also for a run still running or one
  that crashed), never from ``files/output.log``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tidelog.records import pb
from tidelog.wal.reader import WalReader

__all__ = ["system_rows", "pivot_system", "console_lines", "output_log", "run_files", "open_file", "LocalFile",
           "SYSTEM_STREAMS", "as_frame", "save_download"]

SYSTEM_STREAMS = ("system", "events")   # W&B's public-API name and its internal one


def _records(run_dir: Path, kind: str) -> Iterator[pb.Record]:
    for rec in WalReader(Path(run_dir) / "wal").records():
        if rec.WhichOneof("kind") == kind:
            yield rec


def system_rows(run_dir: str | os.PathLike, start_time: float = 0.0,
                keys: list[str] | None = None) -> list[dict[str, Any]]:
    rows = []
    for rec in _records(Path(run_dir), "stats"):
        values = dict(rec.stats.stats)
        if keys is not None:
            values = {k: v for k, v in values.items() if k in keys}
            if not values:
                continue
        ts = rec.stats.timestamp
        rows.append({**values, "_timestamp": ts, "_runtime": ts - start_time if start_time else 0.0})
    return rows


def pivot_system(series: dict[str, dict]) -> list[dict[str, Any]]:
    """The server's ``/system`` answer (``{name: {"t": [...], "v": [...]}}``) as ``system_rows`` gives rows."""
    rows: dict[float, dict[str, Any]] = {}
    for name, s in series.items():
        for t, v in zip(s["t"], s["v"]):
            rows.setdefault(t, {"_timestamp": t})[name] = v
    return [rows[t] for t in sorted(rows)]


def console_lines(run_dir: str | os.PathLike) -> list[tuple[str, float, str]]:
    out = []
    for rec in _records(Path(run_dir), "console"):
        c = rec.console
        out.append(("stderr" if c.stream == pb.ConsoleOutput.STDERR else "stdout", c.timestamp, c.text))
    return out


def output_log(run_dir: str | os.PathLike) -> str:
    return "".join(text + "\n" for _s, _t, text in console_lines(run_dir))


def as_frame(rows: list[dict], pandas: bool) -> Any:
    """History rows as a pandas DataFrame when asked and pandas is installed, else the rows."""
    if pandas:
        try:
            import pandas as pd
        except ImportError:
            return rows
        return pd.DataFrame(rows)
    return rows


def save_download(dest: Path, data: Any, replace: bool, exist_ok: bool) -> Path:
    """W&B's ``File.download`` rule: an existing ``dest`` is kept (``exist_ok``), replaced, or an error.

    ``data()`` gives the bytes; it is called only when they are written.
    """
    if dest.exists() and not replace:
        if exist_ok:
            return dest
        raise FileExistsError(f"{dest} exists; pass replace=True to overwrite it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data())
    return dest


class LocalFile:
    """W&B's ``File`` of a local run: ``name``, ``size``, ``download(root=".", replace=False, exist_ok=False)``."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = data
        self.size = len(data)

    def download(self, root: str = ".", replace: bool = False, exist_ok: bool = False) -> Path:
        return save_download(Path(root) / self.name, lambda: self._data, replace, exist_ok)

    def read(self) -> bytes:
        return self._data

    def __repr__(self) -> str:
        return f"<tidelog File {self.name} ({self.size} bytes)>"


def run_files(run_dir: str | os.PathLike) -> dict[str, Path | None]:
    """W&B file names (relative to ``files/``) -> where they are; ``output.log`` is built from records."""
    run_dir = Path(run_dir)
    out: dict[str, Path | None] = {}
    for rec in _records(run_dir, "file"):
        path = rec.file.path
        name = path[len("files/"):] if path.startswith("files/") else path
        out[name] = run_dir / path
    if "output.log" not in out and any(True for _ in _records(run_dir, "console")):
        out["output.log"] = None
    return out


def open_file(run_dir: str | os.PathLike, name: str) -> LocalFile:
    name = name[len("files/"):] if name.startswith("files/") else name
    files = run_files(run_dir)
    if name not in files:
        raise FileNotFoundError(f"run at {run_dir} has no file {name!r}; it has {sorted(files)}")
    if name == "output.log":
        return LocalFile(name, output_log(run_dir).encode("utf-8"))
    path = files[name]
    if path is None:  # only output.log maps to None (built above); a check, not an assert, so -O keeps it
        raise FileNotFoundError(f"run at {run_dir} has no file {name!r} on disk")
    return LocalFile(name, path.read_bytes())
