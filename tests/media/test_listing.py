"""Lists of media under one key: one type per list, W&B's images/separated, warnings."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import encode_prepared, log_value

from tidelog.errors import TidelogWarning
from tidelog.media import to_loggable
from tidelog.media.audio import Audio
from tidelog.media.histogram import Histogram
from tidelog.media.image import Image
from tidelog.media.listing import prepare_list
from tidelog.media.table import Table


def test_list_of_histograms(tmp_path):
    items = [Histogram(np_histogram=([i, 1], [0, 1, 2])) for i in range(3)]
    value = log_value("hists", items, tmp_path)
    assert value["_type"] == "histogram/list" and value["count"] == 3
    assert value["items"][2] == {"_type": "histogram", "values": [2, 1], "bins": [0, 1, 2]}


def test_tuple_of_tables(tmp_path):
    value = log_value("tables", (Table(columns=["a"], data=[[1]]), Table(columns=["a"], data=[[2]])), tmp_path)
    assert value["_type"] == "table/list" and value["count"] == 2
    assert all((tmp_path / item["path"]).is_file() for item in value["items"])


def test_mixed_types_refused_naming_the_item():
    with pytest.raises(TypeError, match="'mix'.*item 0 is Histogram but item 1 is Table"):
        prepare_list("mix", [Histogram([1, 2]), Table()])
    with pytest.raises(TypeError, match="'mix'.*item 1 of the list is int"):
        prepare_list("mix", [Histogram([1, 2]), 3])


def test_list_of_images_is_images_separated(tmp_path):
    items = [Image(np.full((6, 8, 3), i, dtype=np.uint8), caption=f"img {i}") for i in range(3)]
    value = log_value("examples", items, tmp_path)
    assert value["_type"] == "images/separated"
    assert (value["width"], value["height"], value["format"], value["count"]) == (8, 6, "png", 3)
    assert value["captions"] == ["img 0", "img 1", "img 2"]
    assert len(set(value["filenames"])) == 3
    assert all((tmp_path / f).is_file() for f in value["filenames"])


def test_images_without_captions_have_no_captions_key(tmp_path):
    value = log_value("examples", [Image(np.zeros((2, 2), dtype=np.uint8))], tmp_path)
    assert "captions" not in value and value["count"] == 1


def test_more_than_50_images_warns_but_logs(tmp_path):
    items = [Image(np.zeros((2, 2, 3), dtype=np.uint8)) for _ in range(51)]
    with pytest.warns(TidelogWarning, match="'many'.*51 images"):
        prep = to_loggable("many", items)
    assert encode_prepared(prep, tmp_path)["count"] == 51


def test_list_of_audio_goes_to_the_audio_helper(tmp_path):
    clips = [Audio(np.zeros(800, dtype=np.float32), sample_rate=8000) for _ in range(2)]
    prep = to_loggable("clips", clips)
    assert prep.kind != "list"  # audio's own list value (W&B's "audio" shape)
    assert encode_prepared(prep, tmp_path)["count"] == 2
