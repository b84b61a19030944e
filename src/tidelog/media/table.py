"""``tidelog.Table``: rows of numbers, strings, bools, None and media.

As ``wandb.Table(columns=None, data=None, rows=None, dataframe=None, dtype=None,
optional=True, allow_mixed_types=False)``; columns default to the seed's
``["Input", "Output", "Expected"]``. ``add_data(*row)``, ``add_column(name,
data)``, ``get_column(name, convert_to=None)``; ``Table(dataframe=df)``
(pandas is only imported by the caller who has a DataFrame).

Validation is eager: a row of the wrong length, a cell of an unsupported type
or a column whose cells change type (number / str / bool / one media type;
``int`` and ``float`` are both numbers; ``None`` is allowed while ``optional``)
raise ``ValueError`` / ``TypeError`` naming the row (0-based index into
``table.data``) and the column. Rows appended to ``table.data`` directly are
validated when the table is logged, with the key in the message.

Limit: at most ``MAX_ROWS`` = 10,000 rows are logged; a longer table is
truncated to its first 10,000 rows with a ``TidelogWarning`` at ``log()``.

The table crosses to the sender column by column and is written there
(``tidelog.media.table_codec``); media cells are encoded by their own
encoder and the cell holds the encoded dict (``{"_type": "image-file", ...}``).

Stored file ``media/tables/<sha256>.table.json`` in W&B's layout
``{"columns": [...], "data": [[...], ...]}`` (NaN / Infinity written as
Python's ``json`` writes them, as W&B does), and the value::

    {"_type": "table-file", "path": ..., "sha256": ..., "size": ...,
     "ncols": ..., "nrows": ...}

``nrows`` counts the rows stored (after truncation).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tidelog._warn import warn
from tidelog.media.base import Media, Prepared, register_encoder
from tidelog.media.table_codec import ColumnState, encode_table_payload, pack_column, table_file_value

__all__ = ["Table", "MAX_ROWS", "DEFAULT_COLUMNS", "encode_table_payload", "table_file_value"]

#: The most rows a logged table keeps (W&B's ``Table.MAX_ROWS``).
MAX_ROWS = 10_000
#: Columns of ``Table()`` with no ``columns`` argument (the seed's).
DEFAULT_COLUMNS = ("Input", "Output", "Expected")

def _normalize_cell(value: Any) -> Any:
    """numpy scalars to Python, dates to ISO strings; everything else unchanged."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return value


def _cell_label(value: Any) -> str | None:
    """The type class of a cell: None, "bool", "number", "str" or a media class name."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Media):
        return type(value).__name__
    raise TypeError(
        f"cells may be numbers, strings, bools, None or tidelog data types, got {type(value).__name__}"
    )


def _per_column(value: Any, ncols: int, what: str) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != ncols:
            raise ValueError(f"tidelog.Table: {what} has {len(value)} entries for {ncols} columns")
        return list(value)
    return [value] * ncols


def _dtype_ok(value: Any, dtype: Any) -> bool:
    if dtype is None or value is None:
        return True
    if dtype is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if dtype is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, dtype)


class Table(Media):
    """A table of rows, logged as W&B's ``table-file`` (see module docstring)."""

    MAX_ROWS = MAX_ROWS

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
        dtype: Any = None,
        optional: Any = True,
        allow_mixed_types: bool = False,
    ) -> None:
        if dataframe is not None:
            columns, data = _from_dataframe(dataframe)
        elif data is None and rows is not None:
            data = rows
        if columns is None:
            columns = list(DEFAULT_COLUMNS)
        self.columns: list[str] = _check_columns(columns)
        self._dtype = _per_column(dtype, len(self.columns), "dtype")
        self._optional = [bool(o) for o in _per_column(optional, len(self.columns), "optional")]
        self._allow_mixed = bool(allow_mixed_types)
        self.data: list[list] = []
        self._reset_state()
        for row in _rows_of(data):
            self.add_data(*row)

    # -- building ---------------------------------------------------------------------

    def add_data(self, *row: Any) -> None:
        """Append one row (as many values as columns)."""
        cells = [_normalize_cell(v) for v in row]
        self._check_row(len(self.data), cells, "tidelog.Table")
        self.data.append(cells)
        self._validated = len(self.data)

    add_row = add_data

    def add_column(self, name: str, data: Sequence[Any], optional: bool = False) -> None:
        """Append a column; ``data`` has one value per existing row."""
        if not isinstance(name, str):
            raise TypeError(f"tidelog.Table: column name must be a str, got {type(name).__name__}")
        if name in self.columns:
            raise ValueError(f"tidelog.Table: column {name!r} already exists")
        values = [_normalize_cell(v) for v in data]
        if len(values) != len(self.data):
            raise ValueError(
                f"tidelog.Table: column {name!r} has {len(values)} values but the table has {len(self.data)} rows"
            )
        self._revalidate_pending("tidelog.Table")
        state, j = ColumnState(), len(self.columns)
        self.columns.append(name)
        self._dtype.append(None)
        self._optional.append(bool(optional))
        self._states.append(state)
        try:
            for i, v in enumerate(values):
                self._check_cell(i, j, v, "tidelog.Table")
        except (TypeError, ValueError):
            self._drop_last_column()
            raise
        for row, v in zip(self.data, values):
            row.append(v)

    def get_column(self, name: str, convert_to: str | None = None) -> Any:
        """The values of column ``name``; ``convert_to="numpy"`` gives an array."""
        if name not in self.columns:
            raise KeyError(f"tidelog.Table: no column {name!r} (columns: {self.columns})")
        j = self.columns.index(name)
        values = [row[j] for row in self.data]
        if convert_to == "numpy":
            return np.array(values)
        if convert_to is not None:
            raise ValueError(f"tidelog.Table: convert_to must be None or 'numpy', got {convert_to!r}")
        return values

    # -- validation -------------------------------------------------------------------

    def _drop_last_column(self) -> None:
        self.columns.pop()
        self._dtype.pop()
        self._optional.pop()
        self._states.pop()

    def _reset_state(self) -> None:
        self._states = [ColumnState() for _ in self.columns]
        self._validated = 0
        self._data_ref = self.data

    def _check_row(self, i: int, row: Sequence[Any], prefix: str) -> None:
        if len(row) != len(self.columns):
            raise ValueError(
                f"{prefix}: row {i} has {len(row)} values but the table has {len(self.columns)} "
                f"columns {self.columns}"
            )
        for j, value in enumerate(row):
            self._check_cell(i, j, value, prefix)

    def _check_cell(self, i: int, j: int, value: Any, prefix: str) -> None:
        where = f"row {i}, column {self.columns[j]!r}"
        try:
            label = _cell_label(value)
        except TypeError as exc:
            raise TypeError(f"{prefix}: {where}: {exc}") from None
        state = self._states[j]
        if label is None:
            if not self._optional[j]:
                raise ValueError(f"{prefix}: {where}: None in a column that is not optional")
            state.has_none = True
            return
        if not _dtype_ok(value, self._dtype[j]):
            raise TypeError(
                f"{prefix}: {where}: {value!r} is {type(value).__name__}, column dtype is {self._dtype[j]}"
            )
        state.has_float = state.has_float or isinstance(value, float)
        if state.label is None:
            state.label = label
        elif label != state.label:
            if not self._allow_mixed:
                raise ValueError(
                    f"{prefix}: {where}: {value!r} is {label} but the column holds {state.label}; "
                    "pass allow_mixed_types=True to allow mixed types"
                )
            state.mixed = True

    def _revalidate_pending(self, prefix: str) -> None:
        """Validate rows put into ``self.data`` directly since the last check."""
        if self.data is not self._data_ref or len(self.data) < self._validated:
            self._reset_state()
        for i in range(self._validated, len(self.data)):
            row = self.data[i]
            if not isinstance(row, list):
                row = self.data[i] = list(row)
            row[:] = [_normalize_cell(v) for v in row]
            self._check_row(i, row, prefix)
        self._validated = len(self.data)

    # -- logging ----------------------------------------------------------------------

    def _prepare(self, key: str) -> Prepared:
        meta, arrays = self._pack(key)
        return Prepared("table", meta, arrays)

    def _pack(self, key: str) -> tuple[dict, list]:
        """The table as ``(meta, arrays)``, truncated to ``MAX_ROWS`` with a warning."""
        self._revalidate_pending(f"tidelog.log: key {key!r}")
        rows = self.data
        if len(rows) > MAX_ROWS:
            warn(f"tidelog.log: key {key!r}: the table has {len(rows)} rows; only the first "
                 f"{MAX_ROWS} are logged")
            rows = rows[:MAX_ROWS]
        n = len(rows)
        cols = list(zip(*rows)) if n else [() for _ in self.columns]
        arrays: list = []
        packs = [pack_column(key, col, state, arrays) for col, state in zip(cols, self._states)]
        return {"columns": list(self.columns), "nrows": n, "packs": packs}, arrays

    def __repr__(self) -> str:
        return f"Table(columns={self.columns}, rows={len(self.data)})"


def _check_columns(columns: Any) -> list[str]:
    if isinstance(columns, str) or not isinstance(columns, (list, tuple)):
        raise TypeError(f"tidelog.Table: columns must be a list of str, got {type(columns).__name__}")
    out = []
    for c in columns:
        if not isinstance(c, str):
            raise TypeError(f"tidelog.Table: column names must be str, got {c!r}")
        if c in out:
            raise ValueError(f"tidelog.Table: column {c!r} appears twice")
        out.append(c)
    return out


def _rows_of(data: Any) -> list:
    if data is None:
        return []
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"tidelog.Table: a numpy data array must be 2-D, got shape {data.shape}")
        return data.tolist()
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"tidelog.Table: data must be a list of rows, got {type(data).__name__}")
    for i, row in enumerate(data):
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple, np.ndarray)):
            raise TypeError(f"tidelog.Table: row {i} must be a list of values, got {type(row).__name__}")
    return list(data)


def _from_dataframe(df: Any) -> tuple[list[str], list]:
    """Columns and rows of a DataFrame; missing values in non-float columns become None."""
    import pandas as pd

    floatlike = [dt.kind in "fc" for dt in df.dtypes]

    def cell(v: Any, is_float_col: bool) -> Any:
        if v is None or isinstance(v, (bool, int, str)):
            return v
        if isinstance(v, float):
            return None if (v != v and not is_float_col) else v
        if np.ndim(v) == 0 and pd.isna(v):
            return None  # pd.NA, pd.NaT
        return v

    columns = [str(c) for c in df.columns]
    rows = [[cell(v, f) for v, f in zip(r, floatlike)] for r in df.itertuples(index=False, name=None)]
    return columns, rows


@register_encoder("table")
def encode_table(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: the ``table-file`` value (see module docstring)."""
    return encode_table_payload(meta, arrays, run_dir)
