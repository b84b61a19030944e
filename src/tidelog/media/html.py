"""``tidelog.Html``: an HTML document shown in a panel.

``Html(data, inject=True)``: ``data`` is a string of HTML, a path to an
existing file (as in W&B, a string naming an existing file is read), or an
open file (text or binary, UTF-8). With ``inject=True`` tidelog adds, inside
``<head>``, ``<base target="_blank">`` and a small default stylesheet written
inline (``DEFAULT_STYLE``). W&B links ``https://app.wandb.ai/normalize.css``
instead; tidelog never adds a network reference, so panels render the same on
an air-gapped server. ``inject=False`` stores the document unchanged.

The injection runs in the sender. History value (W&B's ``html-file``)::

    {"_type": "html-file", "path": "media/html/<sha256>.html", "sha256": ..., "size": ...}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tidelog.media.base import Media, Prepared, register_encoder
from tidelog.media.files import bytes_array, read_path, read_stream, store_file, to_bytes

__all__ = ["Html", "DEFAULT_STYLE", "inject_head"]

#: The inline stylesheet ``inject=True`` adds (a small normalize + readable defaults).
DEFAULT_STYLE = """<style data-tidelog="default">
html{line-height:1.15;-webkit-text-size-adjust:100%}
body{margin:0;padding:8px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
font-size:14px;color:#1a1a1a;background:#fff}
h1{font-size:2em;margin:.67em 0}
pre,code,kbd,samp{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1em}
table{border-collapse:collapse}td,th{padding:2px 6px;border:1px solid #ddd}
img,video{max-width:100%;height:auto}
a{color:#1f6feb;background-color:transparent}
</style>"""
_HEAD = '<base target="_blank">' + DEFAULT_STYLE


def inject_head(html: str) -> str:
    """``html`` with the default ``<base>`` and style at the start of its head (W&B's placement)."""
    lower = html.lower()
    at = lower.find("<head")
    if at >= 0:
        end = html.find(">", at) + 1
        return (html[:end] + _HEAD + html[end:]).strip()
    at = lower.find("<html")
    if at >= 0:
        end = html.find(">", at) + 1
        return (html[:end] + "<head>" + _HEAD + "</head>" + html[end:]).strip()
    return (_HEAD + html).strip()


class Html(Media):
    """An HTML document to log (see module docstring)."""

    def __init__(self, data: Any, inject: bool = True) -> None:
        what = "tidelog.Html"
        if isinstance(data, str) and "<" not in data and os.path.isfile(data):
            raw = read_path(data, what)
        elif isinstance(data, os.PathLike):
            raw = read_path(Path(data), what)
        elif isinstance(data, str):
            raw = data.encode("utf-8")
        elif hasattr(data, "read"):
            raw = read_stream(data, what)
        else:
            raise TypeError(f"{what}: data must be a string of HTML, a path or an open file, got {type(data).__name__}")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"{what}: the HTML is not valid UTF-8 ({e.reason} at byte {e.start})") from None
        self._inject = bool(inject)
        self._payload = bytes_array(raw)

    def _prepare(self, key: str) -> Prepared:
        return Prepared("html", {"inject": self._inject}, [self._payload])


@register_encoder("html")
def encode_html(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the document (with the default style when asked); return ``html-file``."""
    data = to_bytes(arrays[0])
    if meta["inject"]:
        data = inject_head(data.decode("utf-8")).encode("utf-8")
    return {"_type": "html-file", **store_file(run_dir, "html", data, "html")}
