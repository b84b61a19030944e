"""``tidelog.__all__`` is the public surface (design.md section 2): pinned here, name by name.

Adding or removing a public name must come with a change to ``EXPECTED``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import tidelog

EXPECTED = [
    "__version__",
    "init",
    "log",
    "finish",
    "define_metric",
    "save",
    "watch",
    "unwatch",
    "alert",
    "run",
    "config",
    "summary",
    "Api",
    "Histogram",
    "Image",
    "Audio",
    "Video",
    "Table",
    "Html",
    "Molecule",
    "Object3D",
    "plot",
    "plot_table",
    "TidelogError",
    "TidelogWarning",
    "UsageError",
    "ConfigError",
    "Run",
    "RunDisabled",
]


def test_all_is_pinned():
    assert list(tidelog.__all__) == EXPECTED
    assert len(set(tidelog.__all__)) == len(tidelog.__all__)


@pytest.mark.parametrize("name", EXPECTED)
def test_every_public_name_resolves(name):
    assert hasattr(tidelog, name)
    assert name in dir(tidelog)
    if name not in ("run",):  # tidelog.run is None until init()
        assert getattr(tidelog, name) is not None


def test_star_import_gives_exactly_all():
    namespace: dict = {}
    exec("from tidelog import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(EXPECTED)


def test_public_names_are_what_they_say():
    from tidelog import errors

    assert isinstance(tidelog.__version__, str) and tidelog.__version__
    for name in ("init", "log", "finish", "define_metric", "save", "watch", "unwatch", "alert", "plot_table"):
        assert callable(getattr(tidelog, name)), name
    for name in ("Api", "Run", "RunDisabled", "Histogram", "Image", "Audio", "Video", "Table", "Html", "Molecule",
                 "Object3D"):
        assert isinstance(getattr(tidelog, name), type), name
    assert callable(tidelog.plot.line) and callable(tidelog.plot.confusion_matrix)
    assert tidelog.TidelogError is errors.TidelogError and tidelog.UsageError is errors.UsageError
    assert issubclass(tidelog.ConfigError, tidelog.UsageError)
    assert issubclass(tidelog.TidelogWarning, UserWarning)
    assert issubclass(errors.KeyCollisionError, (tidelog.UsageError, ValueError))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        tidelog.no_such_thing


def test_import_is_light():
    """``import tidelog`` does not pull in the data types, numpy-heavy media or the reader."""
    code = (
        "import sys, tidelog\n"
        "heavy = [m for m in ('tidelog.media.image', 'tidelog.api.stored', 'tidelog.plot', 'PIL', 'pandas')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""


TESTING_EXPECTED = [
    "sender_pid",
    "wait_sender_restarted",
    "sender_broken",
    "spilled_bytes",
    "wait_spill_drained",
    "stored_rows",
]


def test_testing_module_all_is_pinned():
    """``tidelog.testing`` (helpers for tests; not imported by ``import tidelog``) is public too."""
    import tidelog.testing

    assert list(tidelog.testing.__all__) == TESTING_EXPECTED
    assert all(callable(getattr(tidelog.testing, name)) for name in TESTING_EXPECTED)
    code = "import sys, tidelog; print('tidelog.testing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
