"""Table: rows and columns stored in W&B's layout; limits and bad rows refused with clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import encode_prepared, log_value, read_table

from tidelog.errors import TidelogWarning
from tidelog.media.histogram import Histogram
from tidelog.media.image import Image
from tidelog.media.table import MAX_ROWS, Table


def test_data_and_columns_stored_as_given(tmp_path):
    data = [["I love my phone", "1", "1"], ["My phone sucks", "0", "-1"]]
    columns = ["Text", "Predicted Label", "True Label"]
    value = log_value("examples", Table(data=data, columns=columns), tmp_path)
    assert value["_type"] == "table-file"
    assert value["path"].startswith("media/tables/") and value["path"].endswith(".table.json")
    assert (value["ncols"], value["nrows"]) == (3, 2)
    assert read_table(tmp_path, value) == {"columns": columns, "data": data}


def test_add_data_and_default_columns(tmp_path):
    table = Table()
    assert table.columns == ["Input", "Output", "Expected"]
    table.add_data("a", 1, True)
    table.add_data("b", 2.5, False)
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored == {"columns": ["Input", "Output", "Expected"], "data": [["a", 1.0, True], ["b", 2.5, False]]}


def test_rows_alias_numpy_data_and_numpy_scalars(tmp_path):
    assert Table(columns=["a"], rows=[[1], [2]]).data == [[1], [2]]
    table = Table(columns=["x", "y"], data=np.arange(6).reshape(3, 2))
    assert table.data == [[0, 1], [2, 3], [4, 5]]
    table.add_data(np.int64(6), np.float32(7.5))
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored["data"][-1] == [6, 7.5]


def test_ints_stay_ints_and_none_stays_none(tmp_path):
    table = Table(columns=["i", "f", "s", "b"])
    table.add_data(1, 0.5, "x", True)
    table.add_data(None, None, None, None)
    table.add_data(2**40, float("nan"), "", False)
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored["data"][0] == [1, 0.5, "x", True]
    assert stored["data"][1] == [None, None, None, None]
    assert stored["data"][2][0] == 2**40 and isinstance(stored["data"][2][0], int)
    assert stored["data"][2][1] != stored["data"][2][1]  # NaN kept, as W&B writes it
    assert stored["data"][2][2:] == ["", False]


def test_odd_strings_and_huge_ints(tmp_path):
    table = Table(columns=["s", "n"], data=[["a\x00b", 2**70], ["héllo ✓", 1]])
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored["data"] == [["a\x00b", 2**70], ["héllo ✓", 1]]


def test_dataframe(tmp_path):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"name": ["a", None, "c"], "score": [0.5, 1.5, float("nan")], "n": [1, 2, 3]})
    table = Table(dataframe=df)
    assert table.columns == ["name", "score", "n"]
    stored = read_table(tmp_path, log_value("df", table, tmp_path))
    assert stored["data"][0] == ["a", 0.5, 1]
    assert stored["data"][1] == [None, 1.5, 2]
    assert stored["data"][2][0] == "c" and stored["data"][2][2] == 3


def test_wrong_column_count_names_the_row():
    with pytest.raises(ValueError, match="row 1 has 2 values but the table has 3 columns"):
        Table(columns=["a", "b", "c"], data=[[1, 2, 3], [1, 2]])
    table = Table(columns=["a", "b", "c"])
    table.add_data(1, 2, 3)
    with pytest.raises(ValueError, match="row 1 has 4 values"):
        table.add_data(1, 2, 3, 4)
    assert len(table.data) == 1  # the bad row was not added


def test_rows_appended_directly_checked_at_log_naming_the_key():
    table = Table(columns=["a", "b", "c"], data=[[1, 2, 3]] * 3)
    table.data.append([1, 2])
    with pytest.raises(ValueError, match="tidelog.log: key 'examples': row 3 has 2 values but the table has 3 columns"):
        table._prepare("examples")


def test_mixed_types_name_row_and_column():
    with pytest.raises(ValueError, match=r"row 2, column 'score'.*is str but the column holds number"):
        Table(columns=["name", "score"], data=[["a", 1], ["b", 2.5], ["c", "high"]])
    with pytest.raises(ValueError, match="row 1, column 'ok'"):
        Table(columns=["ok"], data=[[True], [1]])


def test_allow_mixed_types(tmp_path):
    table = Table(columns=["v"], data=[[1], ["two"], [None], [True]], allow_mixed_types=True)
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored["data"] == [[1], ["two"], [None], [True]]


def test_unsupported_cell_type_names_row_and_column():
    with pytest.raises(TypeError, match=r"row 0, column 'b'.*object"):
        Table(columns=["a", "b"], data=[[1, object()]])


def test_optional_false_refuses_none():
    with pytest.raises(ValueError, match="row 1, column 'a'.*not optional"):
        Table(columns=["a", "b"], data=[[1, 2], [None, 3]], optional=False)
    Table(columns=["a", "b"], data=[[1, None]], optional=[False, True])


def test_dtype_enforced():
    with pytest.raises(TypeError, match="row 0, column 'a'"):
        Table(columns=["a"], data=[["x"]], dtype=int)
    Table(columns=["a", "b"], data=[[1, 2]], dtype=[float, int])  # ints are floats too


def test_add_column_and_get_column(tmp_path):
    table = Table(columns=["a"], data=[[1], [2]])
    table.add_column("b", ["x", "y"])
    assert table.get_column("b") == ["x", "y"]
    np.testing.assert_array_equal(table.get_column("a", convert_to="numpy"), np.array([1, 2]))
    with pytest.raises(ValueError, match="3 values but the table has 2 rows"):
        table.add_column("c", [1, 2, 3])
    with pytest.raises(ValueError, match="already exists"):
        table.add_column("a", [1, 2])
    with pytest.raises(ValueError, match="row 1, column 'd'"):
        table.add_column("d", [1, "x"])
    assert table.columns == ["a", "b"]  # the refused columns left no trace
    with pytest.raises(KeyError, match="no column 'zz'"):
        table.get_column("zz")
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored == {"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}


def test_bad_columns():
    with pytest.raises(TypeError, match="list of str"):
        Table(columns="abc")
    with pytest.raises(ValueError, match="twice"):
        Table(columns=["a", "a"])


def test_truncated_to_10000_rows_with_a_warning(tmp_path):
    table = Table(columns=["i", "s"], data=[[i, str(i)] for i in range(MAX_ROWS + 5)])
    with pytest.warns(TidelogWarning, match="'big'.*10005 rows.*10000"):
        prep = table._prepare("big")
    value = encode_prepared(prep, tmp_path)
    stored = read_table(tmp_path, value)
    assert value["nrows"] == MAX_ROWS
    assert stored["data"][-1] == [MAX_ROWS - 1, str(MAX_ROWS - 1)]
    assert len(table.data) == MAX_ROWS + 5  # the caller's table is untouched


def test_numeric_columns_travel_as_arrays_not_json():
    table = Table(columns=["x", "name"], data=[[float(i), f"r{i}"] for i in range(1000)])
    prep = table._prepare("t")
    assert any(isinstance(a, np.ndarray) and a.dtype == np.float64 and a.size == 1000 for a in prep.arrays)
    assert len(str(prep.meta)) < 200  # no row data in meta


def test_media_cells_stored_as_their_encoded_values(tmp_path):
    table = Table(columns=["name", "hist"])
    table.add_data("a", Histogram(np_histogram=([1, 2], [0.0, 0.5, 1.0])))
    table.add_data("b", None)
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    assert stored["data"][0] == ["a", {"_type": "histogram", "values": [1, 2], "bins": [0.0, 0.5, 1.0]}]
    assert stored["data"][1] == ["b", None]


def test_image_cells_written_as_files(tmp_path):
    table = Table(columns=["img", "label"])
    table.add_data(Image(np.zeros((4, 5, 3), dtype=np.uint8), caption="zero"), "cat")
    stored = read_table(tmp_path, log_value("t", table, tmp_path))
    cell = stored["data"][0][0]
    assert cell["_type"] == "image-file" and (tmp_path / cell["path"]).is_file()
    assert stored["data"][0][1] == "cat"


def test_same_table_same_file(tmp_path):
    a = log_value("t", Table(columns=["a"], data=[[1]]), tmp_path)
    b = log_value("u", Table(columns=["a"], data=[[1]]), tmp_path)
    assert a == b
