"""Rich values in ``log()``: data types, their training-side preparation, their encoders.

Public classes are re-exported by ``tidelog`` itself (``tidelog.Image`` ...);
import them from there. This package's own surface is the pipeline's:

* ``to_loggable(key, value)`` (training side) — see ``base`` for the contract.
* ``encode(kind, meta, arrays, run_dir)`` (sender side).

Modules, one job each:

    base         Prepared, Media, the encoder registry, content-addressed files, nesting
    files        reading and checking what users pass; storing encoded files
    tensors      torch / TensorFlow / JAX values as numpy arrays
    image        Image (its pixels: pixels; its overlays: masks, boxes)
    audio        Audio                        video     Video
    html         Html                         molecule  Molecule
    object3d     Object3D, point clouds, lidar scenes
    histogram    Histogram
    table        Table (its columns across the transport: table_codec)
    charts       the plot.* surface: chart_specs, presets, curves, confusion, figures
    arrays       bare numpy arrays / tensors, arrays kept whole in the summary
    listing      lists of media under one key
    all_encoders importing it registers every encoder (the sender's ``encode`` does)
    vega/        the Vega-Lite specs of the plot.* presets (package data)
"""

from __future__ import annotations

from typing import Any

from tidelog.media.base import NOT_MEDIA, Media, Prepared, encode
from tidelog.media.tensors import is_tensor

__all__ = ["to_loggable", "encode", "Prepared", "Media", "NOT_MEDIA"]


def to_loggable(key: str, value: Any) -> Any:
    """Training side: a ``Prepared``, a plain JSON-able value, or ``NOT_MEDIA``.

    Raises ``TypeError`` / ``ValueError`` naming ``key`` for bad input.
    Cheap for the common case: plain numbers never get here (the pipeline
    handles int/float/bool/str before calling this).
    """
    if isinstance(value, Media):
        return value._prepare(key)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], Media):
        from tidelog.media.listing import prepare_list

        return prepare_list(key, value)
    mod = type(value).__module__ or ""
    if mod.startswith("numpy") or is_tensor(value):
        from tidelog.media.arrays import bare_array

        return bare_array(key, value)
    if mod.startswith(("matplotlib", "plotly")) or getattr(value, "__name__", None) == "matplotlib.pyplot":
        from tidelog.media.figures import from_figure

        return from_figure(key, value)
    return NOT_MEDIA
