"""``tidelog verify`` and ``tidelog dump`` on real run directories."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pytest

from tidelog.cli.main import main
from tidelog.records import pb
from tidelog.records.history_block import encode_block
from tidelog.wal import WalWriter


def _run_dir(tmp_path, segment_bytes=1 << 20):
    rng = random.Random(0)
    records = [pb.Record(seq=1, run_start=pb.RunStart(run_id="abc", start_time=100.0)),
               pb.Record(seq=2, key=pb.KeyDef(id=1, name="loss")),
               pb.Record(seq=3, key=pb.KeyDef(id=2, name="epoch"))]
    seq = 4
    for b in range(5):
        block = encode_block(np.arange(b * 50, b * 50 + 50), 101.0 + np.arange(50), [1],
                             np.array([[rng.random() for _ in range(50)]]), [2], np.full((1, 50), b))
        records.append(pb.Record(seq=seq, history_block=block))
        seq += 50
    records.append(pb.Record(seq=seq, history=pb.HistoryRow(step=250, timestamp=200.0, float_keys=[1],
                                                            float_values=[0.5])))
    with WalWriter(tmp_path / "wal", segment_bytes=segment_bytes) as w:
        w.append([r.SerializeToString() for r in records[:3]])
        for r in records[3:]:
            w.append([r.SerializeToString()])
    return tmp_path


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "tidelog", *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def test_verify_clean_run(tmp_path):
    run = _run_dir(tmp_path)
    out = _cli("verify", run)
    assert out.returncode == 0, out.stderr
    assert "result   OK" in out.stdout
    report = json.loads(_cli("verify", run, "--json").stdout)
    assert report["ok"] is True
    assert (report["chunks"], report["records"], report["first_seq"], report["last_seq"]) == (7, 9, 1, 254)
    assert report["damage"] == [] and report["torn_tail"] is None


def test_verify_damaged_run_reports_offsets_and_exits_nonzero(tmp_path):
    run = _run_dir(tmp_path)
    path = run / "wal" / "000001.wal"
    data = bytearray(path.read_bytes())
    victim = 400  # inside the first history block's chunk
    data[victim] ^= 0xFF
    path.write_bytes(bytes(data[:-10]))  # and a torn tail
    out = _cli("verify", run, "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False
    [damage] = report["damage"]
    assert damage["segment"] == "000001.wal"
    assert damage["offset"] <= victim < damage["offset"] + damage["length"]
    assert damage["reason"] == "payload checksum mismatch"
    assert report["damaged_bytes"] == damage["length"]
    assert report["torn_tail"]["segment"] == "000001.wal"
    assert report["records"] == 7
    text = _cli("verify", run)
    assert text.returncode == 1
    assert f"offset {damage['offset']}" in text.stdout and "DAMAGED" in text.stdout


def test_verify_torn_tail_alone_is_clean(tmp_path, capsys):
    run = _run_dir(tmp_path)
    path = run / "wal" / "000001.wal"
    path.write_bytes(path.read_bytes()[:-5])
    assert main(["verify", str(run)]) == 0
    assert "torn tail 000001.wal" in capsys.readouterr().out


def test_verify_without_a_wal_is_a_usage_failure(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nope")]) == 2
    assert "nope: no such run directory" in capsys.readouterr().err
    assert main(["verify", str(tmp_path)]) == 2
    assert "is not a run directory: it holds no wal/ folder" in capsys.readouterr().err


def test_dump_prints_one_record_per_line(tmp_path):
    run = _run_dir(tmp_path)
    out = _cli("dump", run)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == '1 run_start run_id: "abc" start_time: 100.0'
    assert lines[1] == '2 key id: 1 name: "loss"'
    assert lines[3].startswith("4 history_block count=50 steps=0..49 keys=[loss epoch]")
    assert lines[-1] == "254 history step=250 ts=200.000000 loss=0.5"
    assert len(lines) == 9
    limited = _cli("dump", run, "--limit", "2").stdout.splitlines()
    assert limited == lines[:2]
    rows = _cli("dump", run, "--rows").stdout.splitlines()
    assert len(rows) == 3 + 250 + 1
    assert rows[3].startswith("4 history_block[0] step=0 ts=101.000000 loss=") and rows[3].endswith("epoch=0")


@pytest.mark.parametrize("argv", [["--help"], ["verify", "--help"], ["dump", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    assert "tidelog" in capsys.readouterr().out


def test_console_script_and_module_agree(tmp_path):
    run = _run_dir(tmp_path)
    module = _cli("verify", run, "--json")
    import shutil

    script = shutil.which("tidelog", path=str(__import__("pathlib").Path(sys.executable).parent))
    if script is None:
        pytest.fail("the tidelog console script is not installed in this environment")
    direct = subprocess.run([script, "verify", str(run), "--json"], capture_output=True, text=True, timeout=60)
    assert direct.returncode == module.returncode == 0
    assert json.loads(direct.stdout) == json.loads(module.stdout)
