"""``tidelog.Molecule``: molecular structures shown in 3-D.

``Molecule(data_or_path_or_file, caption=None, file_type=None)``: a path, or
an open file, in one of ``SUPPORTED_TYPES`` (pdb, pqr, mmcif, mcif, cif, sdf,
sd, gro, mol2, mmtf), stored as its own bytes with its extension. An open
file with a name on disk is read from that path (as W&B does); a stream
without one (``StringIO``/``BytesIO``) needs ``file_type=``.

``Molecule.from_smiles(smiles, ...)`` and ``Molecule.from_rdkit(mol_or_path, ...)``
use RDKit (``pip install rdkit``) to build 3-D coordinates and store a PDB
file, as W&B does; the embedding uses a fixed random seed so the same input
gives the same file.

History value (W&B's ``molecule-file``)::

    {"_type": "molecule-file", "path": "media/molecule/<sha256>.pdb", "sha256": ...,
     "size": ..., "caption": ...}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tidelog.media import files
from tidelog.media.base import Media, Prepared, register_encoder

__all__ = ["Molecule", "SUPPORTED_TYPES", "SUPPORTED_RDKIT_TYPES"]

SUPPORTED_TYPES = ("pdb", "pqr", "mmcif", "mcif", "cif", "sdf", "sd", "gro", "mol2", "mmtf")
SUPPORTED_RDKIT_TYPES = ("mol", "sdf")
_EMBED_SEED = 0x7D1  # fixed: the same SMILES gives the same coordinates, hence the same file


def _check_type(ext: Any, what: str, source: str) -> str:
    if ext not in SUPPORTED_TYPES:
        raise ValueError(
            f"{what}: {source} has type {ext!r}; supported molecule types are: {', '.join(SUPPORTED_TYPES)}"
        )
    return ext


def _rdkit(what: str):
    try:
        from rdkit import Chem
        from rdkit.Chem import AllChem
    except ImportError:
        raise ImportError(f"{what} needs RDKit, which is not installed; install it with: pip install rdkit") from None
    return Chem, AllChem


class Molecule(Media):
    """A molecule file to log (see module docstring)."""

    SUPPORTED_TYPES = SUPPORTED_TYPES
    SUPPORTED_RDKIT_TYPES = SUPPORTED_RDKIT_TYPES

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None, **_: Any) -> None:
        what = "tidelog.Molecule"
        self._caption = files.check_caption(caption, what)
        path = files.file_path(data_or_path)
        if path is not None:
            self._ext = _check_type(files.extension(path), what, f"file {os.fspath(path)!r}")
            data = files.read_path(path, what)
        elif hasattr(data_or_path, "read"):
            if file_type is None:
                raise ValueError(f"{what}: pass file_type= (one of {', '.join(SUPPORTED_TYPES)}) with a stream")
            self._ext = _check_type(file_type, what, "file_type")
            data = files.read_stream(data_or_path, what)
        else:
            raise TypeError(f"{what}: expected a path or an open file, got {type(data_or_path).__name__}")
        if not data:
            raise ValueError(f"{what}: the molecule file is empty")
        self._payload = files.bytes_array(data)

    @classmethod
    def from_rdkit(
        cls,
        data_or_path: Any,
        caption: str | None = None,
        convert_to_3d_and_optimize: bool = True,
        mmff_optimize_molecule_max_iterations: int = 200,
    ) -> Molecule:
        """An RDKit ``Mol`` (or a .mol/.sdf path) as a PDB molecule, embedded in 3-D."""
        what = "tidelog.Molecule.from_rdkit"
        chem, all_chem = _rdkit(what)
        mol = cls._rdkit_mol(chem, data_or_path, what)
        if convert_to_3d_and_optimize:
            mol = chem.AddHs(mol)
            if all_chem.EmbedMolecule(mol, randomSeed=_EMBED_SEED) != 0:
                raise ValueError(f"{what}: RDKit could not embed the molecule in 3-D")
            all_chem.MMFFOptimizeMolecule(mol, maxIters=mmff_optimize_molecule_max_iterations)
        return cls._from_text(chem.MolToPDBBlock(mol), caption)

    @staticmethod
    def _rdkit_mol(chem: Any, data: Any, what: str):
        if isinstance(data, chem.rdchem.Mol):
            return data
        if not files.is_path(data):
            raise TypeError(f"{what}: expected an rdkit.Chem.Mol or a .mol/.sdf path, got {type(data).__name__}")
        ext = files.extension(data)
        if ext not in SUPPORTED_RDKIT_TYPES:
            raise ValueError(
                f"{what}: file type {ext!r}; RDKit files must be one of {', '.join(SUPPORTED_RDKIT_TYPES)}"
            )
        if not os.path.isfile(data):
            raise ValueError(f"{what}: no such file: {os.fspath(data)!r}")
        if ext == "sdf":
            mol = next(iter(chem.SDMolSupplier(os.fspath(data))), None)
        else:
            mol = chem.MolFromMolFile(os.fspath(data))
        if mol is None:
            raise ValueError(f"{what}: RDKit could not read a molecule from {os.fspath(data)!r}")
        return mol

    @classmethod
    def from_smiles(
        cls,
        data: str,
        caption: str | None = None,
        sanitize: bool = True,
        convert_to_3d_and_optimize: bool = True,
        mmff_optimize_molecule_max_iterations: int = 200,
    ) -> Molecule:
        """A SMILES string as a PDB molecule (RDKit), embedded in 3-D."""
        what = "tidelog.Molecule.from_smiles"
        chem, _ = _rdkit(what)
        if not isinstance(data, str):
            raise TypeError(f"{what}: expected a SMILES string, got {type(data).__name__}")
        mol = chem.MolFromSmiles(data, sanitize=sanitize)
        if mol is None:
            raise ValueError(f"{what}: RDKit could not parse the SMILES string {data!r}")
        return cls.from_rdkit(mol, caption, convert_to_3d_and_optimize, mmff_optimize_molecule_max_iterations)

    @classmethod
    def _from_text(cls, text: str, caption: str | None) -> Molecule:
        import io

        return cls(io.StringIO(text), caption=caption, file_type="pdb")

    def _prepare(self, key: str) -> Prepared:
        return Prepared("molecule", {"ext": self._ext, "caption": self._caption}, [self._payload])


@register_encoder("molecule")
def encode_molecule(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the file as it is; return the ``molecule-file`` value."""
    value = {"_type": "molecule-file", **files.store_file(run_dir, "molecule", files.to_bytes(arrays[0]), meta["ext"])}
    if meta["caption"]:
        value["caption"] = meta["caption"]
    return value
