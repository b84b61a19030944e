"""What the integrations share: the run they log to, and how media lists are built.

``ensure_run(init_kwargs)`` returns the current tidelog run, or starts one with
``init_kwargs`` and declares ``step_key`` the x-axis of every metric
(``define_metric(step_key)``, then ``define_metric("*", step_metric=step_key,
step_sync=True)``), as the W&B clients do.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ensure_run", "per_item_kwargs"]


def ensure_run(init_kwargs: dict[str, Any], step_key: str) -> Any:
    import tidelog
    from tidelog.api import lifecycle

    run = lifecycle.current()
    if run is None:
        run = tidelog.init(**{k: v for k, v in init_kwargs.items() if v is not None})
        run.define_metric(step_key)
        run.define_metric("*", step_metric=step_key, step_sync=True)
    return run


def per_item_kwargs(what: str, n: int, kwargs: dict[str, list]) -> list[dict[str, Any]]:
    """``{"caption": [a, b]}`` -> ``[{"caption": a}, {"caption": b}]``, each list ``n`` long."""
    for k, v in kwargs.items():
        if not isinstance(v, (list, tuple)) or len(v) != n:
            raise ValueError(f"tidelog: {what}: {k} must be a list of {n} items (one per {what[:-1]}), got {v!r}")
    return [{k: kwargs[k][i] for k in kwargs} for i in range(n)]
