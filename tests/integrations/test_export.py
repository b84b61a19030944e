"""``tidelog export``: every row, unsampled; NaN and infinities apart from missing values."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import tidelog
from tidelog.api import lifecycle
from tidelog.cli.main import main

N = 3000  # more than Api.history()'s default sample of 500


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    base = tmp_path_factory.mktemp("export")
    run = tidelog.init(dir=base, project="exp", id="exp1")
    expected = []
    for i in range(N):
        row = {"loss": 1.0 / (i + 1), "step_i": i}
        if i % 7 == 0:
            row["acc"] = float("nan") if i % 14 == 0 else i / N
        if i == 5:
            row.update(inf=float("inf"), ninf=float("-inf"), flag=True, note="a,b \"quoted\"", mixed=3)
        if i == 6:
            row["mixed"] = 2.5
        if i == 10:
            row["img"] = tidelog.Image(np.zeros((2, 2, 3), np.uint8))
        run.log(row)
        expected.append(row)
    run.finish()
    assert lifecycle.current() is None
    return base, expected


def _export(base, fmt, out) -> int:
    return main(["export", "exp/exp1", "--dir", str(base), "--format", fmt, "--out", str(out)])


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_jsonl_has_every_row_and_keeps_nan_apart_from_missing(logged, tmp_path):
    base, expected = logged
    out = tmp_path / "h.jsonl"
    assert _export(base, "jsonl", out) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == N and [r["_step"] for r in rows] == list(range(N))
    for got, want in zip(rows, expected):
        assert set(got) - {"_step", "_timestamp", "_runtime"} == set(want)
        for k, v in want.items():
            if k != "img":
                assert _same(got[k], v), (got["_step"], k)
    assert math.isnan(rows[0]["acc"]) and "acc" not in rows[1] and rows[7]["acc"] == 7 / N
    assert rows[5]["inf"] == math.inf and rows[5]["ninf"] == -math.inf
    assert rows[10]["img"]["_type"] == "image-file"


def test_csv_cells(logged, tmp_path):
    base, expected = logged
    out = tmp_path / "h.csv"
    assert _export(base, "csv", out) == 0
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == N
    assert list(rows[0])[:3] == ["_step", "_timestamp", "_runtime"]
    assert set(rows[0]) == {"_step", "_timestamp", "_runtime", *{k for w in expected for k in w}}
    assert rows[0]["acc"] == "nan" and rows[1]["acc"] == "" and float(rows[7]["acc"]) == 7 / N
    assert rows[5]["inf"] == "inf" and rows[5]["ninf"] == "-inf" and rows[4]["inf"] == ""
    assert rows[5]["flag"] == "true" and rows[5]["note"] == 'a,b "quoted"'
    assert all(float(r["loss"]) == w["loss"] for r, w in zip(rows, expected))  # exact round trip
    assert json.loads(rows[10]["img"])["_type"] == "image-file"


def test_parquet_types_and_nulls(logged, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed (pip install -e '.[parquet]')")
    base, expected = logged
    out = tmp_path / "h.parquet"
    assert _export(base, "parquet", out) == 0
    t = pq.read_table(out)
    assert t.num_rows == N
    assert str(t.schema.field("loss").type) == "double" and str(t.schema.field("step_i").type) == "int64"
    assert str(t.schema.field("flag").type) == "bool" and str(t.schema.field("note").type) == "string"
    assert str(t.schema.field("mixed").type) == "double"  # ints and floats in one key
    acc = t.column("acc").to_pylist()
    assert math.isnan(acc[0]) and acc[1] is None and acc[7] == 7 / N
    assert t.column("inf").to_pylist()[5] == math.inf and t.column("inf").to_pylist()[4] is None
    assert t.column("mixed").to_pylist()[5:7] == [3.0, 2.5]
    assert t.column("loss").to_pylist() == [w["loss"] for w in expected]
    assert json.loads(t.column("img").to_pylist()[10])["_type"] == "image-file"


def test_bad_requests_are_explained(logged, tmp_path, capsys):
    base, _ = logged
    assert main(["export", "exp/nope", "--dir", str(base), "--format", "csv", "--out", str(tmp_path / "x")]) == 1
    assert "no run 'exp/nope'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    with pytest.raises(SystemExit) as e:
        main(["export", "exp/exp1", "--dir", str(base), "--format", "xlsx", "--out", str(tmp_path / "x")])
    assert e.value.code == 2
    assert main(["export", "exp/exp1", "--dir", str(base), "--format", "parquet", "--out", "-"]) == 2


def test_stdout(logged, tmp_path):
    base, _ = logged
    proc = subprocess.run([sys.executable, "-m", "tidelog", "export", "exp/exp1", "--dir", str(base),
                           "--format", "jsonl", "--out", "-"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == N
