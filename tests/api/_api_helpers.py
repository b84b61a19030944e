"""Small helpers shared by tests/api (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path


def logged(api_run, keep_step: bool = True) -> list[dict]:
    """History rows without ``_timestamp`` / ``_runtime``."""
    drop = {"_timestamp", "_runtime"} | (set() if keep_step else {"_step"})
    return [{k: v for k, v in row.items() if k not in drop} for row in api_run.scan_history()]


def user_summary(summary) -> dict:
    """A summary without the ``_step`` / ``_runtime`` / ``_timestamp`` every summary with rows carries."""
    return {k: v for k, v in dict(summary).items() if k not in ("_step", "_runtime", "_timestamp")}


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in Path(path).rglob("*")) if Path(path).exists() else []


