"""``tidelog export RUN --format csv|jsonl|parquet --out PATH``: a run's whole history, as a file.

Every row, unsampled, in step order, with ``_step``, ``_timestamp`` and
``_runtime`` first and then every key in the order it was first logged. RUN
is what ``tidelog show`` takes (a run directory, or ``project/id`` / ``id``
under ``--dir``). A missing value and a logged NaN or infinity stay apart:

* ``csv``: missing is an empty cell; NaN is ``nan``, infinities ``inf`` / ``-inf``;
  floats are written exactly (shortest round-trip form); media values and other
  structured values are JSON text; booleans ``true`` / ``false``.
* ``jsonl``: one JSON object per row; a missing key is absent; NaN and infinities
  are ``NaN`` / ``Infinity`` / ``-Infinity``, as Python's json module (and
  ``tidelog show --json``) writes and reads them.
* ``parquet`` (``pip install tidelog[parquet]``): one typed column per key
  (float64, int64, bool, string); missing is null, NaN is NaN; a key holding
  ints and floats is float64; structured values and keys mixing kinds are JSON
  text.

``--out -`` writes csv or jsonl to standard output. Otherwise the file is
written beside PATH and renamed into place, so a failed export leaves no half
file. Exit status: 0; 1 when RUN names no run; 2 for bad arguments (an
unknown format, parquet without pyarrow).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["register", "run", "FORMATS"]

FORMATS = ("csv", "jsonl", "parquet")
_SYSTEM = ["_step", "_timestamp", "_runtime"]
_BATCH = 65536


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="write a run's history (every row) as csv, jsonl or parquet",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", metavar="RUN", help="a run directory, or project/id (or id) under --dir")
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("--out", required=True, metavar="PATH", help="output file ('-': standard output)")
    p.add_argument("--dir", default=None, help="where runs were logged (default: $TIDELOG_DIR or .)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tidelog.cli.show import resolve_run
    from tidelog.errors import RunNotFoundError

    if args.format == "parquet":
        if args.out == "-":
            print("tidelog export: --out - (standard output) is for csv and jsonl; give a file for parquet",
                  file=sys.stderr)
            return 2
        try:
            import pyarrow  # noqa: F401 - only asks whether the extra is installed
        except ImportError:
            print("tidelog export: --format parquet needs pyarrow (pip install 'tidelog[parquet]')",
                  file=sys.stderr)
            return 2
    try:
        r = resolve_run(args.run, args.dir)
    except (RunNotFoundError, ValueError) as e:
        print(f"tidelog export: {e}", file=sys.stderr)
        return 1
    from tidelog.read.history import HistoryReader

    def rows() -> Iterator[dict[str, Any]]:
        return HistoryReader.from_run_dir(r.dir).rows()

    columns, kinds = _survey(rows())
    writer = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}[args.format]
    with _output(args.out, binary=args.format == "parquet") as out:
        n = writer(out, rows(), columns, kinds)
    if args.out != "-":
        print(f"wrote {n} rows, {len(columns)} columns to {args.out}", file=sys.stderr)
    return 0


def _survey(rows: Iterator[dict[str, Any]]) -> tuple[list[str], dict[str, set[str]]]:
    """Columns in first-logged order, and the kinds of value each holds."""
    order: dict[str, None] = dict.fromkeys(_SYSTEM)
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for k, v in row.items():
            if k not in order:
                order[k] = None
            kinds.setdefault(k, set()).add(_kind(v))
    return list(order), kinds


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return "json"


@contextlib.contextmanager
def _output(path: str, binary: bool) -> Iterator[Any]:
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    dest = Path(path)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


# -- csv ----------------------------------------------------------------------------


def _csv_cell(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (int, str)):
        return str(v)
    return json.dumps(v, separators=(",", ":"), allow_nan=True)


def _write_csv(out: Any, rows: Iterator[dict], columns: list[str], kinds: dict) -> int:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    n = 0
    for row in rows:
        w.writerow(["" if k not in row else _csv_cell(row[k]) for k in columns])
        n += 1
    return n


# -- jsonl --------------------------------------------------------------------------


def _write_jsonl(out: Any, rows: Iterator[dict], columns: list[str], kinds: dict) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, separators=(",", ":"), allow_nan=True, ensure_ascii=False))
        out.write("\n")
        n += 1
    return n


# -- parquet ------------------------------------------------------------------------


def _arrow_type(pa: Any, kinds: set[str]) -> tuple[Any, bool]:
    """The column's arrow type, and whether its values are written as JSON text."""
    if kinds <= {"float", "int"}:
        return (pa.int64() if kinds == {"int"} else pa.float64()), False
    if kinds == {"bool"}:
        return pa.bool_(), False
    if kinds == {"str"}:
        return pa.string(), False
    return pa.string(), True


def _write_parquet(out: Any, rows: Iterator[dict], columns: list[str], kinds: dict) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {k: _arrow_type(pa, kinds.get(k, {"float"})) for k in columns}
    schema = pa.schema([(k, types[k][0]) for k in columns])
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                writer.write_table(_table(pa, schema, types, batch))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(_table(pa, schema, types, batch))
            n += len(batch)
    return n


def _table(pa: Any, schema: Any, types: dict, batch: list[dict]) -> Any:
    arrays = []
    for field in schema:
        k = field.name
        as_json = types[k][1]
        values = [row.get(k) for row in batch]
        if as_json:
            values = [None if k not in row else json.dumps(row[k], separators=(",", ":"), allow_nan=True)
                      for row in batch]
        elif pa.types.is_floating(field.type):
            values = [None if v is None else float(v) for v in values]
        arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
