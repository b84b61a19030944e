"""tidelog.Molecule: files kept byte for byte; RDKit helpers; bad input."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from _helpers import raises, send, stored

from tidelog.media.molecule import SUPPORTED_TYPES, Molecule

DATA = Path(__file__).parent / "data"


def encode(obj, run_dir: Path, key: str = "protein") -> dict:
    """Training side, the real transport framing, then the sender's encoder."""
    return send(obj._prepare(key), run_dir)


def test_pdb_file_kept_as_is(tmp_path):
    value = encode(Molecule(str(DATA / "water.pdb"), caption="water"), tmp_path)
    assert value["_type"] == "molecule-file"
    assert value["path"] == f"media/molecule/{value['sha256']}.pdb"
    assert value["caption"] == "water"
    assert stored(tmp_path, value) == (DATA / "water.pdb").read_bytes()


def test_open_file_as_in_the_seed(tmp_path):
    with open(DATA / "water.pdb") as f:
        value = encode(Molecule(f), tmp_path)
    assert stored(tmp_path, value) == (DATA / "water.pdb").read_bytes()


@pytest.mark.parametrize("ext", SUPPORTED_TYPES)
def test_every_supported_extension(tmp_path, ext):
    path = tmp_path / f"mol.{ext}"
    path.write_bytes(b"\x00binary-ok\xff" if ext == "mmtf" else (DATA / "water.pdb").read_bytes())
    value = encode(Molecule(path), tmp_path / "run")
    assert value["path"].endswith("." + ext)
    assert stored(tmp_path / "run", value) == path.read_bytes()


def test_streams_need_file_type(tmp_path):
    text = (DATA / "methane.sdf").read_text()
    value = encode(Molecule(io.StringIO(text), file_type="sdf"), tmp_path)
    assert value["path"].endswith(".sdf") and stored(tmp_path, value) == text.encode()
    value = encode(Molecule(io.BytesIO(b"\x01\x02mmtf"), file_type="mmtf"), tmp_path)
    assert stored(tmp_path, value) == b"\x01\x02mmtf"


def test_unsupported_extension_lists_the_allowed_ones(tmp_path):
    path = tmp_path / "mol.xyz"
    path.write_text("1\n\nC 0 0 0\n")
    with raises(ValueError, "tidelog.Molecule", "'xyz'", ", ".join(SUPPORTED_TYPES)):
        Molecule(str(path))
    with raises(ValueError, "file_type", "'mol'"):
        Molecule(io.StringIO("x"), file_type="mol")


def test_stream_without_file_type():
    with raises(ValueError, "pass file_type="):
        Molecule(io.StringIO("ATOM"))


def test_missing_empty_and_wrong_type(tmp_path):
    with raises(ValueError, "no such file"):
        Molecule(str(tmp_path / "nope.pdb"))
    (tmp_path / "empty.pdb").write_bytes(b"")
    with raises(ValueError, "empty"):
        Molecule(str(tmp_path / "empty.pdb"))
    with raises(TypeError, "expected a path or an open file"):
        Molecule(42)


# ---------------------------------------------------------------- RDKit


def test_from_smiles_writes_a_3d_pdb(tmp_path):
    pytest.importorskip("rdkit")
    value = encode(Molecule.from_smiles("CCO", caption="ethanol"), tmp_path)
    text = stored(tmp_path, value).decode()
    assert value["path"].endswith(".pdb") and value["caption"] == "ethanol"
    atoms = [line for line in text.splitlines() if line.startswith(("ATOM", "HETATM"))]
    assert len(atoms) == 9  # C2H6O with hydrogens added
    coords = {tuple(float(line[i:i + 8]) for i in (30, 38, 46)) for line in atoms}
    assert len(coords) == 9  # embedded: every atom has its own position
    again = encode(Molecule.from_smiles("CCO"), tmp_path)
    assert again["sha256"] == value["sha256"]  # fixed seed: same SMILES, same file


def test_from_rdkit_mol_and_sdf_path(tmp_path):
    pytest.importorskip("rdkit")
    from rdkit import Chem

    value = encode(Molecule.from_rdkit(Chem.MolFromSmiles("C"), convert_to_3d_and_optimize=False), tmp_path)
    assert "C" in stored(tmp_path, value).decode()
    value = encode(Molecule.from_rdkit(str(DATA / "methane.sdf")), tmp_path)
    atoms = [line for line in stored(tmp_path, value).decode().splitlines() if line.startswith(("ATOM", "HETATM"))]
    assert len(atoms) == 5


def test_bad_smiles_and_rdkit_inputs(tmp_path):
    pytest.importorskip("rdkit")
    with raises(ValueError, "from_smiles", "could not parse", "'C1CC'"):
        Molecule.from_smiles("C1CC")
    with raises(ValueError, "from_rdkit", "'pdb'"):
        Molecule.from_rdkit(str(DATA / "water.pdb"))
    with raises(TypeError, "from_rdkit", "int"):
        Molecule.from_rdkit(3)


def test_without_rdkit_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdkit", None)  # as if not installed
    with raises(ImportError, "tidelog.Molecule.from_smiles", "pip install rdkit"):
        Molecule.from_smiles("CCO")
    with raises(ImportError, "tidelog.Molecule.from_rdkit", "pip install rdkit"):
        Molecule.from_rdkit("mol.sdf")
