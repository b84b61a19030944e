"""The built web UI: static files for ``tidelog server`` to serve at ``/``.

Built from ``ui/`` (TypeScript, Preact, uPlot) by ``npm run build`` in ``ui/``
and committed, so installing tidelog needs no Node. ``STATIC_DIR`` holds
``index.html`` (the single page, served for every UI route: ``/``,
``/<project>``, ``/<project>/runs/<run_id>``) and ``assets/`` (``main.js``,
``main.css`` and the viewers loaded on demand under ``assets/chunks/``).
Everything the UI loads comes from this folder and the server's ``/api/v1``.
``serve`` holds the Starlette routes that serve it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["STATIC_DIR", "index_html"]

#: The folder of built files (``index.html``, ``assets/``).
STATIC_DIR = Path(__file__).resolve().parent / "static"


def index_html() -> Path:
    """The page every UI route answers with."""
    return STATIC_DIR / "index.html"
