"""Importing this module registers every media encoder (sender side only)."""

import importlib

_MODULES = (
    "image", "audio", "video", "html", "molecule", "object3d", "histogram", "table",
    "presets", "curves", "confusion", "figures", "arrays", "listing",
)

for _name in _MODULES:
    importlib.import_module(f"tidelog.media.{_name}")
