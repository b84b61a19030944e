"""tidelog.Image: each input form and argument, encoded and read back; each bad input."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from _helpers import send
from PIL import Image as PILImage

from tidelog.errors import TidelogWarning
from tidelog.media import image as image_mod
from tidelog.media.image import Image
from tidelog.media.listing import prepare_list

RNG = np.random.default_rng(0)


def encode(obj, run_dir: Path, key: str = "examples") -> dict:
    """Training side, the real transport framing, then the sender's encoder."""
    return send(obj._prepare(key), run_dir)


def stored(run_dir: Path, value: dict) -> bytes:
    data = (run_dir / value["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == value["sha256"]
    assert len(data) == value["size"]
    return data


def load(path: Path) -> PILImage.Image:
    """A stored image, read without keeping a file handle open."""
    return PILImage.open(io.BytesIO(path.read_bytes()))


def pixels(run_dir: Path, value: dict) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(stored(run_dir, value))))


def rgb(h=32, w=32, c=3):
    return RNG.integers(0, 256, size=(h, w, c), dtype=np.uint8)


# ---------------------------------------------------------------- arrays


def test_rgb_array_png_pixels_equal(tmp_path):
    arr = rgb(20, 30)
    value = encode(Image(arr, caption="Label"), tmp_path)
    assert value["_type"] == "image-file"
    assert value["path"] == f"media/images/{value['sha256']}.png"
    assert (value["width"], value["height"], value["format"], value["caption"]) == (30, 20, "png", "Label")
    img = load(tmp_path / value["path"])
    assert img.format == "PNG" and img.mode == "RGB"
    assert np.array_equal(pixels(tmp_path, value), arr)


@pytest.mark.parametrize(
    "shape, mode",
    [((16, 12), "L"), ((16, 12, 1), "L"), ((16, 12, 2), "LA"), ((16, 12, 3), "RGB"), ((16, 12, 4), "RGBA"),
     ((1, 16, 12, 3), "RGB")],
)
def test_channels_pick_the_mode(tmp_path, shape, mode):
    arr = RNG.integers(2, 256, size=shape, dtype=np.uint8)
    value = encode(Image(arr), tmp_path)
    img = load(tmp_path / value["path"])
    assert img.mode == mode
    assert (value["width"], value["height"]) == (12, 16)
    assert np.array_equal(np.asarray(img), arr.squeeze())


def test_float_0_1_is_multiplied_by_255_and_truncated(tmp_path):
    arr = RNG.random((8, 8, 3))
    got = pixels(tmp_path, encode(Image(arr), tmp_path))
    assert np.array_equal(got, (arr * 255).astype(np.uint8))


def test_float_minus1_1_maps_to_0_255(tmp_path):
    arr = RNG.uniform(-1, 1, size=(8, 8))
    arr[0, 0], arr[0, 1] = -1.0, 1.0
    got = pixels(tmp_path, encode(Image(arr), tmp_path))
    assert np.array_equal(got, (255 * 0.5 * (arr + 1)).astype(np.uint8))
    assert got[0, 0] == 0 and got[0, 1] == 255


def test_values_beyond_255_are_clipped(tmp_path):
    arr = np.array([[-5.0, 3.0], [300.0, 128.5]])
    got = pixels(tmp_path, encode(Image(arr), tmp_path))
    assert got.tolist() == [[0, 3], [255, 128]]


def test_integer_zero_one_image_is_scaled_like_wandb(tmp_path):
    arr = np.array([[0, 1], [1, 0]], dtype=np.int64)
    assert pixels(tmp_path, encode(Image(arr), tmp_path)).tolist() == [[0, 255], [255, 0]]


def test_normalize_false_keeps_values(tmp_path):
    arr = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    assert pixels(tmp_path, encode(Image(arr, normalize=False), tmp_path)).tolist() == [[0, 1], [1, 0]]


def test_explicit_mode_rgb(tmp_path):
    arr = rgb(4, 5)
    assert np.array_equal(pixels(tmp_path, encode(Image(arr, mode="RGB"), tmp_path)), arr)


def test_mode_png_cannot_store_is_converted_to_rgb(tmp_path):
    arr = rgb(4, 5)
    value = encode(Image(arr, mode="YCbCr"), tmp_path)
    expected = PILImage.frombytes("YCbCr", (5, 4), arr.tobytes()).convert("RGB")
    assert np.array_equal(pixels(tmp_path, value), np.asarray(expected))


@pytest.mark.parametrize("file_type, pil_format", [("jpg", "JPEG"), ("jpeg", "JPEG"), ("bmp", "BMP"), ("png", "PNG")])
def test_file_type_for_arrays(tmp_path, file_type, pil_format):
    arr = rgb(16, 16, 4)
    value = encode(Image(arr, file_type=file_type), tmp_path)
    assert value["format"] == file_type and value["path"].endswith("." + file_type)
    img = load(tmp_path / value["path"])
    assert img.format == pil_format and img.size == (16, 16)
    if file_type == "bmp":
        assert np.array_equal(np.asarray(img.convert("RGB")), arr[..., :3])  # BMP reads back without alpha


def test_constructor_snapshots_once_and_prepare_hands_it_over():
    arr = rgb()
    mask = np.zeros((32, 32), dtype=np.uint8)
    img = Image(arr, masks={"m": {"mask_data": mask}})
    prep = img._prepare("k")
    assert not np.shares_memory(prep.arrays[0], arr) and not np.shares_memory(prep.arrays[1], mask)
    assert not prep.arrays[0].flags.writeable and not prep.arrays[1].flags.writeable
    again = img._prepare("k")  # log() gets the snapshots, not further copies
    assert again.arrays[0] is prep.arrays[0] and again.arrays[1] is prep.arrays[1]


def test_non_contiguous_views(tmp_path):
    arr = rgb(20, 30)
    for view in (arr[::2, ::3], arr.transpose(1, 0, 2), arr[..., ::-1]):
        assert np.array_equal(pixels(tmp_path, encode(Image(view), tmp_path)), view)


def test_same_input_same_file(tmp_path):
    arr = rgb()
    a, b = encode(Image(arr), tmp_path), encode(Image(arr.copy()), tmp_path / "other")
    assert a["sha256"] == b["sha256"] and a["path"] == b["path"]


# ---------------------------------------------------------------- other sources


def test_pil_image(tmp_path):
    arr = rgb(10, 11)
    value = encode(Image(PILImage.fromarray(arr), caption="pil"), tmp_path)
    assert np.array_equal(pixels(tmp_path, value), arr)
    assert (value["width"], value["height"], value["caption"]) == (11, 10, "pil")


def test_pil_palette_image_becomes_rgb(tmp_path):
    pal = PILImage.fromarray(rgb(6, 6)).convert("P")
    value = encode(Image(pal), tmp_path)
    assert np.array_equal(pixels(tmp_path, value), np.asarray(pal.convert("RGB")))


@pytest.mark.parametrize("ext, pil_format", [("png", "PNG"), ("jpg", "JPEG"), ("jpeg", "JPEG"), ("bmp", "BMP"), ("gif", "GIF")])
def test_file_path_kept_as_its_own_bytes(tmp_path, ext, pil_format):
    path = tmp_path / f"pic.{ext}"
    PILImage.fromarray(rgb(9, 7)).save(path, format=pil_format)
    value = encode(Image(str(path), caption="file"), tmp_path / "run")
    assert stored(tmp_path / "run", value) == path.read_bytes()
    assert value["format"] == ext and value["path"].endswith("." + ext)
    assert (value["width"], value["height"]) == (7, 9)


def test_pathlib_path_and_other_formats_converted_to_png(tmp_path):
    arr = rgb(5, 6)
    path = tmp_path / "pic.tiff"
    PILImage.fromarray(arr).save(path, format="TIFF")
    value = encode(Image(path), tmp_path / "run")
    assert value["format"] == "png"
    assert np.array_equal(pixels(tmp_path / "run", value), arr)


def test_image_of_an_image_copies_pixels_with_new_caption(tmp_path):
    arr = rgb(4, 4)
    value = encode(Image(Image(arr, caption="a"), caption="b"), tmp_path)
    assert np.array_equal(pixels(tmp_path, value), arr) and value["caption"] == "b"


def test_matplotlib_figure(tmp_path):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([1, 2, 3])
    try:
        value = encode(Image(fig), tmp_path)
    finally:
        plt.close(fig)
    assert value["format"] == "png" and (value["width"], value["height"]) == (100, 50)
    assert load(tmp_path / value["path"]).size == (100, 50)


def test_pyplot_module_logs_the_current_figure(tmp_path):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = plt.figure(figsize=(1, 1), dpi=40)
    plt.plot([3, 1, 2])
    try:
        value = encode(Image(plt), tmp_path)
    finally:
        plt.close(fig)
    assert (value["width"], value["height"]) == (40, 40)


def test_torch_tensor_chw(tmp_path):
    torch = pytest.importorskip("torch")
    arr = rgb(6, 7)
    tensor = torch.from_numpy(arr).permute(2, 0, 1)
    value = encode(Image(tensor), tmp_path)
    assert np.array_equal(pixels(tmp_path, value), arr)


def test_grouping_and_classes(tmp_path):
    value = encode(Image(rgb(4, 4), grouping=3, classes=[{"id": 1, "name": "car"}]), tmp_path)
    assert value["grouping"] == 3
    assert value["classes"] == {"_type": "classes", "class_set": [{"id": 1, "name": "car"}]}


# ---------------------------------------------------------------- masks


def test_named_masks_each_their_own_png(tmp_path):
    pred = RNG.integers(0, 4, size=(32, 32), dtype=np.uint8)
    truth = RNG.integers(0, 4, size=(32, 32)).astype(np.int32)
    labels = {0: "bg", 1: "tree", 2: "car", 3: "road"}
    value = encode(
        Image(rgb(), masks={"predictions": {"mask_data": pred, "class_labels": labels},
                            "ground_truth": {"mask_data": truth, "class_labels": labels}}),
        tmp_path,
    )
    assert set(value["masks"]) == {"predictions", "ground_truth"}
    for name, data in (("predictions", pred), ("ground_truth", truth)):
        mask = value["masks"][name]
        assert mask["_type"] == "mask"
        assert mask["path"] == f"media/images/mask/{mask['sha256']}.mask.png"
        assert mask["class_labels"] == {"0": "bg", "1": "tree", "2": "car", "3": "road"}
        img = load(tmp_path / mask["path"])
        assert img.mode == "L" and np.array_equal(np.asarray(img), data)
        stored(tmp_path, mask)
    assert value["masks"]["predictions"]["sha256"] != value["masks"]["ground_truth"]["sha256"]


def test_mask_default_class_labels(tmp_path):
    mask = np.array([[0, 5], [5, 7]], dtype=np.int64)
    value = encode(Image(rgb(2, 2), masks={"m": {"mask_data": mask}}), tmp_path)
    assert value["masks"]["m"]["class_labels"] == {"0": "class_0", "5": "class_5", "7": "class_7"}


def test_mask_from_path(tmp_path):
    mask = RNG.integers(0, 3, size=(8, 9), dtype=np.uint8)
    path = tmp_path / "mask.png"
    PILImage.fromarray(mask).save(path)
    value = encode(Image(rgb(8, 9), masks={"m": {"path": str(path), "class_labels": {1: "a"}}}), tmp_path / "run")
    entry = value["masks"]["m"]
    assert stored(tmp_path / "run", entry) == path.read_bytes()
    assert entry["class_labels"] == {"1": "a"}


# ---------------------------------------------------------------- boxes


def test_boxes_both_position_forms_kept_as_given(tmp_path):
    boxes = {
        "predictions": {
            "box_data": [
                {"position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4}, "class_id": 2,
                 "box_caption": "minMax(pixel)", "scores": {"acc": 0.1, "loss": 1.2}},
                {"position": {"middle": [15, 10], "width": 6, "height": 8}, "domain": "pixel", "class_id": 3},
                {"position": {"middle": [0.5, 0.5], "width": 0.2, "height": 0.2}, "domain": "percentage",
                 "class_id": np.int64(1)},
            ],
            "class_labels": {1: "car", 2: "road", 3: "building"},
        },
        "ground_truth": {"box_data": [{"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 7}]},
    }
    value = encode(Image(rgb(20, 30), boxes=boxes), tmp_path)
    pred = value["boxes"]["predictions"]
    assert pred["_type"] == "boxes2D"
    assert pred["class_labels"] == {"1": "car", "2": "road", "3": "building"}
    first, second, third = pred["box_data"]
    assert first == {"position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4}, "class_id": 2,
                     "box_caption": "minMax(pixel)", "scores": {"acc": 0.1, "loss": 1.2}}
    assert second == {"position": {"middle": [15, 10], "width": 6, "height": 8}, "domain": "pixel", "class_id": 3}
    assert third["class_id"] == 1 and type(third["class_id"]) is int and third["domain"] == "percentage"
    assert value["boxes"]["ground_truth"]["class_labels"] == {"7": "class_7"}


# ---------------------------------------------------------------- bad input


def raises(exc, *words):
    """``pytest.raises`` whose message must contain every one of ``words`` (any order)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


def test_bad_array_shape():
    with raises(ValueError, "tidelog.Image", "(3, 32, 32)", "channel-last"):
        Image(np.zeros((3, 32, 32), dtype=np.uint8))  # channel-first
    with raises(ValueError, "shape"):
        Image(np.zeros((4, 4, 5), dtype=np.uint8))


def test_bad_dtype_and_type():
    with raises(TypeError, "dtype"):
        Image(np.array([["a", "b"], ["c", "d"]]))
    with raises(TypeError, "expected a numpy array"):
        Image(object())


def test_bad_mode():
    with raises(ValueError, "unknown mode", "'XYZ'"):
        Image(rgb(), mode="XYZ")
    with raises(ValueError, "mode 'RGBA' needs 4", "has 3"):
        Image(rgb(), mode="RGBA")


def test_bad_file_type_and_missing_file(tmp_path):
    with raises(ValueError, "file_type", "'gif'"):
        Image(rgb(), file_type="gif")
    with raises(ValueError, "no such file"):
        Image(str(tmp_path / "nope.png"))
    (tmp_path / "x.png").write_bytes(b"not an image")
    with raises(ValueError, "not an image"):
        Image(str(tmp_path / "x.png"))


def test_mask_shape_does_not_fit_the_image():
    with raises(ValueError, "masks['predictions']", "(10, 12)", "(32, 32)"):
        Image(rgb(), masks={"predictions": {"mask_data": np.zeros((10, 12), dtype=np.uint8)}})


def test_mask_not_2d_integer():
    with raises(TypeError, "masks['m']", "2-D"):
        Image(rgb(), masks={"m": {"mask_data": np.zeros((32, 32, 1), dtype=np.uint8)}})
    with raises(TypeError, "masks['m']", "integer", "float64"):
        Image(rgb(), masks={"m": {"mask_data": np.zeros((32, 32))}})
    with raises(ValueError, "masks['m']", "0..255"):
        Image(rgb(), masks={"m": {"mask_data": np.full((32, 32), 300)}})
    with raises(TypeError, "masks['m']", "mask_data"):
        Image(rgb(), masks={"m": {"class_labels": {1: "a"}}})
    with raises(TypeError, "masks must be a dict"):
        Image(rgb(), masks=[np.zeros((32, 32), dtype=np.uint8)])


def test_mask_class_labels_must_map_int_to_str():
    mask = np.zeros((32, 32), dtype=np.uint8)
    with raises(TypeError, "masks['m']", "'one'", "must be an int"):
        Image(rgb(), masks={"m": {"mask_data": mask, "class_labels": {"one": "a"}}})
    with raises(TypeError, "class_labels[1]", "string"):
        Image(rgb(), masks={"m": {"mask_data": mask, "class_labels": {1: 2}}})


def box(**kw):
    out = {"position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4}, "class_id": 1}
    out.update(kw)
    return {"p": {"box_data": [out]}}


def test_box_without_position():
    with raises(ValueError, "boxes['p'] box 0", "no 'position'"):
        Image(rgb(), boxes={"p": {"box_data": [{"class_id": 1}]}})
    with raises(ValueError, "none of"):
        Image(rgb(), boxes=box(position={"x": 1}))


def test_box_with_partial_position():
    with raises(ValueError, "boxes['p'] box 0", "partial", "missing ['maxY']"):
        Image(rgb(), boxes=box(position={"minX": 0.1, "maxX": 0.2, "minY": 0.3}))
    with raises(ValueError, "partial", "missing ['height']"):
        Image(rgb(), boxes=box(position={"middle": [0.5, 0.5], "width": 0.1}))
    with raises(ValueError, "middle"):
        Image(rgb(), boxes=box(position={"middle": [0.5], "width": 0.1, "height": 0.1}))


@pytest.mark.parametrize("class_id", [1.0, "1", True, None])
def test_box_class_id_must_be_int(class_id):
    with raises(TypeError, "boxes['p'] box 0", "class id", "must be an int"):
        Image(rgb(), boxes=box(class_id=class_id))


def test_box_without_class_id():
    with raises(ValueError, "no 'class_id'"):
        Image(rgb(), boxes={"p": {"box_data": [{"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}}]}})


def test_box_bad_domain_and_out_of_range():
    with raises(ValueError, "domain", "'pixels'"):
        Image(rgb(), boxes=box(domain="pixels"))
    with raises(ValueError, "outside the image", "0..1"):
        Image(rgb(), boxes=box(position={"minX": 0.5, "maxX": 1.5, "minY": 0, "maxY": 1}))
    with raises(ValueError, "outside the image", "32x32 pixels"):
        Image(rgb(), boxes=box(position={"middle": [30, 10], "width": 10, "height": 4}, domain="pixel"))
    with raises(ValueError, "minX > maxX"):
        Image(rgb(), boxes=box(position={"minX": 0.5, "maxX": 0.1, "minY": 0, "maxY": 1}))


def test_box_other_fields():
    with raises(TypeError, "box_data must be a list"):
        Image(rgb(), boxes={"p": {"box_data": {"position": {}}}})
    with raises(TypeError, "scores must be a dict"):
        Image(rgb(), boxes=box(scores=[0.1]))
    with raises(TypeError, "scores['acc']", "number"):
        Image(rgb(), boxes=box(scores={"acc": "high"}))
    with raises(TypeError, "box_caption"):
        Image(rgb(), boxes=box(box_caption=3))
    with raises(TypeError, "boxes must be a dict"):
        Image(rgb(), boxes=[1])


def test_caption_and_grouping_types():
    with raises(TypeError, "caption must be a string"):
        Image(rgb(), caption=3)
    with raises(TypeError, "grouping must be an int"):
        Image(rgb(), grouping="a")


# ---------------------------------------------------------------- lists (tidelog.media.listing)


def test_more_than_50_images_warns_and_keeps_all():
    images = [Image(rgb(2, 2)) for _ in range(51)]
    with pytest.warns(TidelogWarning, match=r"key 'examples'.*51 images"):
        prep = prepare_list("examples", images)
    assert len(prep.arrays) == 51


def test_50_images_do_not_warn():
    prepare_list("examples", [Image(rgb(2, 2)) for _ in range(50)])


def test_module_keeps_heavy_imports_lazy():
    import subprocess
    import sys

    code = (
        "import sys, tidelog.media.image, tidelog.media.audio, tidelog.media.video, tidelog.media.html, "
        "tidelog.media.molecule, tidelog.media.object3d; "
        "print(sorted(m for m in ('PIL', 'imageio', 'imageio_ffmpeg', 'rdkit', 'torch', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert image_mod.__all__
