"""The ``Run`` methods W&B clients call beyond ``log()``: artifacts, labels, attaching.

``Run`` and the disabled run inherit ``WandbRunMethods``. What each does:

* ``log_artifact(artifact | path, name=, type=, aliases=)``: the files become run
  files (``tidelog.api.artifact``); a path is wrapped in an ``Artifact`` first.
  ``log_model(path, name=, aliases=)`` is ``log_artifact`` with type ``model``.
* ``use_artifact`` / ``link_artifact`` / ``link_model``: need a registry; an
  ``Artifact`` object passed in is returned as is, a name raises ``UsageError``.
* ``_label(code=, repo=, code_version=)``: which integration drives the run
  (W&B telemetry); kept on the run object as ``run._labels``, not written.
* ``_attach_id``: the run id (``tidelog.Run`` overrides it to start its relay,
  so processes it starts can attach: api/attach.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tidelog.errors import UsageError

__all__ = ["WandbRunMethods"]


class WandbRunMethods:
    """Mixed into ``tidelog.Run`` and ``tidelog.RunDisabled``."""

    @property
    def _attach_id(self) -> str:
        return self.id  # type: ignore[attr-defined]  # the mixin's host class (Run, RunDisabled) defines it

    def _label(self, code: str | None = None, repo: str | None = None, code_version: str | None = None,
               **kwargs: Any) -> None:
        labels = self.__dict__.setdefault("_labels", {})
        for k, v in (("code", code), ("repo", repo), ("code_version", code_version), *kwargs.items()):
            if v is not None:
                labels[k] = v

    def log_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None,
                     aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
        from tidelog.api.artifact import Artifact, store

        artifact = artifact_or_path
        if isinstance(artifact_or_path, (str, os.PathLike)):
            path = Path(artifact_or_path)
            artifact = Artifact(name or f"run-{self.id}-{path.name}", type or "unspecified")  # type: ignore[attr-defined]  # the host class defines id
            if path.is_dir():
                artifact.add_dir(path)
            else:
                artifact.add_file(path)
        if getattr(self, "disabled", False):
            return artifact
        if getattr(self, "finished", False):
            raise UsageError("tidelog.log_artifact: this run has finished; call tidelog.init() to start another")
        from tidelog.records import pb

        for rel, sha, size in store(Path(self.dir), artifact, list(aliases or [])):  # type: ignore[attr-defined]  # the host class defines dir
            self._link.send(pb.Record(file=pb.FileRecord(path=rel, sha256=sha, size=size,  # type: ignore[attr-defined]  # only Run (which has _link) reaches here
                                                         kind="artifact")))
        return artifact

    def log_model(self, path: Any, name: str | None = None, aliases: list[str] | None = None) -> Any:
        return self.log_artifact(path, name=name, type="model", aliases=aliases)

    def use_artifact(self, artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,
                     use_as: str | None = None) -> Any:
        from tidelog.api.artifact import Artifact

        if isinstance(artifact_or_name, Artifact):
            return artifact_or_name
        raise UsageError(f"tidelog.use_artifact({artifact_or_name!r}): there is no artifact registry offline; "
                         "read the files of the run that logged it (files/artifacts/<name>/v<N>/)")

    def link_artifact(self, artifact: Any, target_path: str, aliases: list[str] | None = None) -> None:
        raise UsageError(f"tidelog.link_artifact({target_path!r}): there is no artifact registry offline")

    link_model = link_artifact
