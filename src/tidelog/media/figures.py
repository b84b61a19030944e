"""matplotlib and Plotly figures in ``log()``, and rendering a figure to PNG.

matplotlib figures (or the ``pyplot`` module: its current figure, or an
Axes: its figure) are pickled on the caller (about 2 ms for a small figure,
against about 25 ms for ``savefig`` to PNG; ``savefig`` is the fallback when
a figure will not pickle). On the sender the figure is converted with
``plotly.tools.mpl_to_plotly`` and stored as ``plotly-file``; when plotly is
missing or the conversion fails, it is rendered to PNG and stored as
``image-file``; so is a figure that holds images (``imshow``), which the
converter would drop (W&B does the same). A failed conversion is said once
per key, in a ``TidelogWarning`` naming the key and the converter's error.
Plotly figures are pickled on the caller and written with
``plotly.io.to_json`` on the sender::

    {"_type": "plotly-file", "path": "media/plotly/<sha>.plotly.json", "sha256", "size"}

``figure_of`` and ``figure_png`` are the one way tidelog finds a value's
matplotlib figure and renders it (``Image(fig)`` uses them too).
"""

from __future__ import annotations

import io
import pickle
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from tidelog._warn import warn
from tidelog.media.base import Prepared, register_encoder
from tidelog.media.files import store_file

__all__ = ["from_figure", "figure_of", "figure_png"]

_warned_keys: set[str] = set()
_warned_lock = threading.Lock()


def figure_of(value: Any) -> Any:
    """The matplotlib ``Figure`` that ``value`` is, is current in (``pyplot``) or draws on (an Axes);
    ``None`` for anything else."""
    from matplotlib.figure import Figure

    if getattr(value, "__name__", None) == "matplotlib.pyplot":
        value = value.gcf()
    if isinstance(value, Figure):
        return value
    fig = getattr(value, "figure", None)  # Axes and other artists
    return fig if isinstance(fig, Figure) else None


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure rendered to PNG bytes (``savefig``'s defaults)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def from_figure(key: str, value: Any) -> Prepared:
    """Training side: a matplotlib figure / pyplot / Axes or a Plotly figure, serialized minimally."""
    if isinstance(value, type(sys)) and getattr(value, "__name__", None) == "matplotlib.pyplot":
        value = value.gcf()
    if (type(value).__module__ or "").startswith("plotly"):
        if not hasattr(value, "to_plotly_json"):
            raise TypeError(f"tidelog.log: key {key!r}: cannot log a {type(value).__name__} (expected a Plotly figure)")
        return Prepared("plotly", {}, [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)])
    fig = figure_of(value)
    if fig is None:
        raise TypeError(
            f"tidelog.log: key {key!r}: cannot log a {type(value).__name__}; "
            "pass a matplotlib Figure, matplotlib.pyplot, or wrap it in tidelog.Image"
        )
    try:  # pickle (cheap); PNG bytes from savefig when the figure will not pickle
        return Prepared("matplotlib", {"format": "pickle", "key": key},
                        [pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)])
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        return Prepared("matplotlib", {"format": "png", "key": key}, [figure_png(fig)])


# -- sender side ---------------------------------------------------------------------------


def _load_figure(data: bytes) -> Any:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # the sender has no display; unpickling may create a manager
    fig = pickle.loads(bytes(data))
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)  # unpickling registered it with pyplot: keep pyplot's state as it was
    return fig


def _warn_png_once(key: str, err: BaseException) -> None:
    with _warned_lock:
        if key in _warned_keys:
            return
        _warned_keys.add(key)
    warn(f"tidelog.log: key {key!r}: the matplotlib figure could not be converted to Plotly "
         f"({type(err).__name__}: {err}); it is stored as a PNG image instead (said once per key)")


def _to_plotly_json(fig: Any, key: str) -> bytes | None:
    """``mpl_to_plotly`` + ``to_json``; ``None`` when plotly is missing or cannot convert (warned once)."""
    try:
        import plotly.io
        import plotly.tools
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lossy-conversion notes from mplexporter
            converted = plotly.tools.mpl_to_plotly(fig)
            return plotly.io.to_json(converted, validate=False).encode("utf-8")
    except Exception as err:  # noqa: BLE001 - the converter fails in many ways; each means: a PNG, and why
        _warn_png_once(key, err)
        return None


def _png_value(run_dir: Path, png: bytes) -> dict:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as im:
        width, height = im.size
    return {"_type": "image-file", **store_file(run_dir, "images", png, "png"),
            "width": width, "height": height, "format": "png"}


def _plotly_value(run_dir: Path, body: bytes) -> dict:
    return {"_type": "plotly-file", **store_file(run_dir, "plotly", body, "plotly.json")}


@register_encoder("matplotlib")
def encode_matplotlib(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: Plotly JSON when possible, else a PNG ``image-file``."""
    if meta["format"] == "png":
        return _png_value(run_dir, bytes(arrays[0]))
    fig = _load_figure(arrays[0])
    has_images = any(ax.images for ax in fig.axes)  # plotly's converter drops them (W&B: an image)
    body = None if has_images else _to_plotly_json(fig, meta.get("key", "?"))
    if body is not None:
        return _plotly_value(run_dir, body)
    return _png_value(run_dir, figure_png(fig))


@register_encoder("plotly")
def encode_plotly(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: the Plotly figure as JSON."""
    import plotly.io

    fig = pickle.loads(bytes(arrays[0]))
    return _plotly_value(run_dir, plotly.io.to_json(fig, validate=False).encode("utf-8"))
