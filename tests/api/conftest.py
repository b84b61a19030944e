"""Fixtures for the W&B-semantics tests: real runs through the real sender, read back with tidelog.Api."""

from __future__ import annotations

from typing import Any

import pytest

import tidelog
from tidelog.api import lifecycle

_ENV = [f"{prefix}{name}" for prefix in ("TIDELOG_", "WANDB_")
        for name in ("DIR", "MODE", "PROJECT", "RUN_ID")]


@pytest.fixture(autouse=True)
def _clean_env_and_run(monkeypatch):
    """No settings leak in from the shell, and no run outlives its test."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    yield
    current = lifecycle.current()
    if current is not None:
        current.finish()


@pytest.fixture
def start(tmp_path):
    """``start(**kwargs)``: ``tidelog.init(dir=tmp_path, project="sem", **kwargs)``."""

    def _start(**kwargs: Any):
        kwargs.setdefault("project", "sem")
        return tidelog.init(dir=str(tmp_path), **kwargs)

    return _start


@pytest.fixture
def read_back(tmp_path):
    """``read_back(run)``: the finished run as ``tidelog.Api(dir=tmp_path)`` sees it."""

    def _read(run) -> Any:
        return tidelog.Api(dir=str(tmp_path)).run(f"{run.project}/{run.id}")

    return _read
