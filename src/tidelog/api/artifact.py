"""``tidelog.Artifact``: W&B's artifact calls, kept as files of the run.

There is no artifact registry offline, so ``run.log_artifact(artifact)`` copies
the artifact's files into the run directory::

    files/artifacts/<name>/v<N>/<file name in the artifact>
    files/artifacts/<name>/v<N>/manifest.json   name, type, description, metadata,
                                                aliases, files (sha256, size), references

``N`` counts the versions of that name already logged by the run (v0, v1, ...).
Each file is recorded in the WAL (``FileRecord``, kind ``"artifact"``). The
first artifact a process logs warns once that this is what happened.
``add_reference`` keeps the URI in the manifest and copies nothing.
``use_artifact`` / ``download`` need a registry and raise ``UsageError``.

Files are read when the artifact is logged, not when they are added (W&B's
``policy="immutable"``); ``new_file`` writes into a staging directory that is
removed once the artifact is logged or garbage collected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tidelog._warn import warn
from tidelog.errors import UsageError

__all__ = ["Artifact", "store", "ARTIFACTS_DIR"]

ARTIFACTS_DIR = "files/artifacts"
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_warned: list[bool] = []


class Artifact:
    """A named, typed set of files (W&B's ``wandb.Artifact``)."""

    def __init__(self, name: str, type: str, description: str | None = None,
                 metadata: dict[str, Any] | None = None, incremental: bool = False,
                 use_as: str | None = None, **kwargs: Any) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"tidelog.Artifact: name must be letters, digits, '-', '_' or '.', not {name!r}")
        if not isinstance(type, str) or not type:
            raise ValueError(f"tidelog.Artifact({name!r}): type must be a non-empty string, not {type!r}")
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError(f"tidelog.Artifact({name!r}): metadata must be a dict, not {metadata.__class__.__name__}")
        self.name, self.type, self.description = name, type, description or ""
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.aliases: list[str] = []
        self.version: str | None = None
        self._files: dict[str, Path] = {}
        self._references: list[dict[str, str]] = []
        self._staging: Path | None = None

    def __repr__(self) -> str:
        return f"<tidelog Artifact {self.name}:{self.version or 'unlogged'} ({self.type}, {len(self._files)} files)>"

    # -- adding files --------------------------------------------------------------

    def add_file(self, local_path: str | os.PathLike, name: str | None = None, is_tmp: bool = False,
                 skip_cache: bool | None = None, policy: str | None = None, overwrite: bool = False) -> Path:
        src = Path(local_path)
        if not src.is_file():
            raise FileNotFoundError(f"tidelog.Artifact({self.name!r}).add_file: no file at {src}")
        return self._add(name or src.name, src, overwrite)

    def add_dir(self, local_path: str | os.PathLike, name: str | None = None,
                skip_cache: bool | None = None, policy: str | None = None, merge: bool = False) -> None:
        root = Path(local_path)
        if not root.is_dir():
            raise FileNotFoundError(f"tidelog.Artifact({self.name!r}).add_dir: no directory at {root}")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            self._add(f"{name.rstrip('/')}/{rel}" if name else rel, path, overwrite=merge)

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "x", encoding: str | None = None) -> Iterator[Any]:
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(prefix="tidelog-artifact-"))
            weakref.finalize(self, shutil.rmtree, str(self._staging), True)
        dest = self._staging / _safe_name(self.name, name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, mode, encoding=None if "b" in mode else (encoding or "utf-8")) as f:
            yield f
        self._add(name, dest, overwrite=False)

    def add_reference(self, uri: Any, name: str | None = None, checksum: bool = True,
                      max_objects: int | None = None) -> None:
        self._references.append({"uri": str(uri), "name": name or str(uri).rstrip("/").rsplit("/", 1)[-1]})

    def add(self, obj: Any, name: str) -> None:
        raise UsageError(f"tidelog.Artifact({self.name!r}).add({name!r}): media objects in artifacts are not "
                         "supported offline; log them with run.log() or add their files with add_file()")

    def _add(self, name: str, src: Path, overwrite: bool) -> Path:
        name = _safe_name(self.name, name)
        if name in self._files and not overwrite and self._files[name] != src:
            raise ValueError(f"tidelog.Artifact({self.name!r}): a file named {name!r} was already added")
        self._files[name] = src
        return src

    # -- W&B calls that need a registry or a server ----------------------------------------

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to upload offline."""

    def wait(self, timeout: int | None = None) -> Artifact:
        return self

    def download(self, *args: Any, **kwargs: Any) -> str:
        raise UsageError(f"tidelog.Artifact({self.name!r}).download: there is no artifact registry offline; "
                         f"logged artifacts are files of their run under {ARTIFACTS_DIR}/")

    get_entry = get_path = get = download


def _safe_name(artifact: str, name: str) -> str:
    parts = Path(str(name)).as_posix().split("/")
    if not name or any(p in ("", "..") for p in parts) or Path(str(name)).is_absolute():
        raise ValueError(f"tidelog.Artifact({artifact!r}): file name {name!r} must be a relative path "
                         "without '..'")
    return "/".join(p for p in parts if p != ".")


def store(run_dir: Path, artifact: Artifact, aliases: list[str] | None) -> list[tuple[str, str, int]]:
    """Copy ``artifact`` into ``run_dir``; returns ``(path in the run, sha256, size)`` per file."""
    if not isinstance(artifact, Artifact):
        raise TypeError(f"tidelog.log_artifact: expected a tidelog.Artifact or a path, "
                        f"not {type(artifact).__name__}")
    base = run_dir / ARTIFACTS_DIR / artifact.name
    base.mkdir(parents=True, exist_ok=True)
    n = 0
    while (base / f"v{n}").exists():
        n += 1
    dest_root = base / f"v{n}"
    dest_root.mkdir()
    stored, listing = [], []
    for name, src in artifact._files.items():
        dest = dest_root / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        sha, size = _digest(dest)
        rel = dest.relative_to(run_dir).as_posix()
        stored.append((rel, sha, size))
        listing.append({"name": name, "path": rel, "sha256": sha, "size": size})
    artifact.version = f"v{n}"
    artifact.aliases = ["latest", *(a for a in (aliases or []) if a != "latest")]
    manifest = {
        "name": artifact.name, "type": artifact.type, "version": artifact.version,
        "description": artifact.description, "metadata": artifact.metadata, "aliases": artifact.aliases,
        "files": listing, "references": artifact._references,
    }
    (dest_root / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
    if not _warned:
        _warned.append(True)
        warn(f"tidelog: artifact {artifact.name!r} is stored as files of the run ({ARTIFACTS_DIR}/"
             f"{artifact.name}/{artifact.version}); there is no artifact registry offline")
    return stored


def _digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size
