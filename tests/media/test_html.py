"""tidelog.Html: strings and files, the inline default style, no network reference added."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from _helpers import send

from tidelog.media.html import DEFAULT_STYLE, Html, inject_head

SEED_LINK = '<a href="https://mysite">Link</a>'


def encode(obj, run_dir: Path, key: str = "custom") -> dict:
    """Training side, the real transport framing, then the sender's encoder."""
    return send(obj._prepare(key), run_dir)


def stored_text(run_dir: Path, value: dict) -> str:
    data = (run_dir / value["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == value["sha256"] and len(data) == value["size"]
    return data.decode("utf-8")


def network_refs(text: str) -> list[str]:
    return re.findall(r"(?i)(?:https?:)?//[\w.-]+", text)


def test_string_with_default_style(tmp_path):
    value = encode(Html(SEED_LINK), tmp_path)
    assert value["_type"] == "html-file"
    assert value["path"] == f"media/html/{value['sha256']}.html"
    text = stored_text(tmp_path, value)
    assert DEFAULT_STYLE in text and '<base target="_blank">' in text
    assert text.endswith(SEED_LINK)
    assert network_refs(text) == network_refs(SEED_LINK) == ["https://mysite"]  # only the user's own link


def test_injected_style_has_no_network_reference():
    assert network_refs(DEFAULT_STYLE) == []
    assert "@import" not in DEFAULT_STYLE and "url(" not in DEFAULT_STYLE
    assert "<link" not in inject_head("<p>x</p>")


def test_inject_false_stores_the_document_unchanged(tmp_path):
    doc = "<html><body><p>exact</p></body></html>\n"
    assert stored_text(tmp_path, encode(Html(doc, inject=False), tmp_path)) == doc


def test_style_goes_into_an_existing_head(tmp_path):
    doc = "<html><HEAD><title>t</title></HEAD><body>b</body></html>"
    text = stored_text(tmp_path, encode(Html(doc), tmp_path))
    assert text.startswith("<html><HEAD>" + '<base target="_blank">' + DEFAULT_STYLE + "<title>t</title>")


def test_head_is_created_after_the_html_tag(tmp_path):
    doc = '<html lang="en"><body>b</body></html>'
    text = stored_text(tmp_path, encode(Html(doc), tmp_path))
    assert text.startswith('<html lang="en"><head><base target="_blank">' + DEFAULT_STYLE + "</head><body>")


def test_open_text_file_and_path(tmp_path):
    path = tmp_path / "some.html"
    path.write_text("<p>from a file ü</p>", encoding="utf-8")
    with open(path, encoding="utf-8") as f:
        text = stored_text(tmp_path / "a", encode(Html(f), tmp_path / "a"))
    assert text.endswith("<p>from a file ü</p>") and DEFAULT_STYLE in text
    assert stored_text(tmp_path / "b", encode(Html(str(path), inject=False), tmp_path / "b")) == "<p>from a file ü</p>"
    assert stored_text(tmp_path / "c", encode(Html(path, inject=False), tmp_path / "c")) == "<p>from a file ü</p>"


def test_binary_stream(tmp_path):
    value = encode(Html(io.BytesIO(b"<b>bytes</b>"), inject=False), tmp_path)
    assert stored_text(tmp_path, value) == "<b>bytes</b>"


def test_same_document_same_file(tmp_path):
    assert encode(Html("<p>a</p>"), tmp_path)["path"] == encode(Html("<p>a</p>"), tmp_path)["path"]


def test_bad_data_type():
    with pytest.raises(TypeError, match=r"tidelog\.Html: data must be a string of HTML.*int"):
        Html(3)


def test_not_utf8():
    with pytest.raises(ValueError, match=r"tidelog\.Html: the HTML is not valid UTF-8"):
        Html(io.BytesIO(b"\xff\xfe<p>"))


def test_missing_path_object(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        Html(tmp_path / "nope.html")
