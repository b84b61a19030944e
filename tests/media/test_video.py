"""tidelog.Video: arrays to GIF (Pillow) or mp4/webm/ogg (ffmpeg), files kept as they are."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from _helpers import raises, send, stored
from PIL import Image as PILImage
from PIL import ImageSequence

from tidelog.media.video import Video, grid_shape, tile_frames

COLORS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255)]


def encode(obj, run_dir: Path, key: str = "video") -> dict:
    """Training side, the real transport framing, then the sender's encoder."""
    return send(obj._prepare(key), run_dir)


def solid_clip(t=4, h=10, w=12, colors=COLORS) -> np.ndarray:
    """(T, 3, H, W): frame i is one solid colour, so GIF quantization keeps it exactly."""
    frames = np.zeros((t, 3, h, w), dtype=np.uint8)
    for i in range(t):
        frames[i] = np.array(colors[i % len(colors)], dtype=np.uint8)[:, None, None]
    return frames


def gif_frames(data: bytes) -> tuple[list[np.ndarray], list[int]]:
    img = PILImage.open(io.BytesIO(data))
    frames, durations = [], []
    for frame in ImageSequence.Iterator(img):
        durations.append(frame.info["duration"])
        frames.append(np.asarray(frame.convert("RGB")))
    return frames, durations


@pytest.mark.parametrize("fps, duration", [(4, 250), (10, 100), (2, 500)])
def test_gif_frame_count_duration_and_pixels(tmp_path, fps, duration):
    clip = solid_clip(t=5)
    value = encode(Video(clip, fps=fps, caption="run"), tmp_path)
    assert value["_type"] == "video-file"
    assert value["path"] == f"media/videos/{value['sha256']}.gif"
    assert (value["width"], value["height"], value["format"], value["fps"], value["caption"]) == (12, 10, "gif", fps, "run")
    frames, durations = gif_frames(stored(tmp_path, value))
    assert len(frames) == 5 and durations == [duration] * 5
    for i, frame in enumerate(frames):
        assert frame.shape == (10, 12, 3)
        assert (frame == COLORS[i]).all()


def test_default_is_a_4_fps_gif(tmp_path):
    value = encode(Video(solid_clip(t=3)), tmp_path)
    assert value["format"] == "gif" and value["fps"] == 4
    assert gif_frames(stored(tmp_path, value))[1] == [250] * 3


def test_grayscale_and_float_clips(tmp_path):
    gray = np.stack([np.full((1, 6, 6), v, dtype=np.float64) for v in (0.0, 100.4, 300.0)])
    frames, _ = gif_frames(stored(tmp_path, encode(Video(gray), tmp_path)))
    assert [int(f[0, 0, 0]) for f in frames] == [0, 100, 255]


@pytest.mark.parametrize("batch, rows, cols", [(1, 1, 1), (2, 1, 2), (3, 1, 4), (4, 2, 2), (5, 2, 4), (8, 2, 4), (16, 4, 4)])
def test_grid_like_wandb(batch, rows, cols):
    assert grid_shape(batch) == (rows, cols)


def test_batch_is_tiled_into_a_grid(tmp_path):
    batch = np.stack([solid_clip(t=2, h=4, w=5, colors=[c, COLORS[5]]) for c in COLORS[:3]])  # (3, 2, 3, 4, 5)
    value = encode(Video(batch), tmp_path)
    assert (value["width"], value["height"]) == (4 * 5, 4)
    frames, _ = gif_frames(stored(tmp_path, value))
    assert len(frames) == 2
    for b in range(3):
        assert (frames[0][:, b * 5:(b + 1) * 5] == COLORS[b]).all()
    assert (frames[0][:, 15:] == 0).all()  # the padded fourth clip is black
    assert (frames[1][:, :15] == COLORS[5]).all()
    tiled = tile_frames(batch)
    assert tiled.shape == (2, 4, 20, 3)


def test_identical_frames_are_merged_by_pillow_keeping_the_timing(tmp_path):
    clip = solid_clip(t=4, colors=[COLORS[0], COLORS[0], COLORS[1], COLORS[2]])
    frames, durations = gif_frames(stored(tmp_path, encode(Video(clip, fps=4), tmp_path)))
    assert len(frames) == 3 and durations == [500, 250, 250]


def test_constructor_snapshots_once_and_prepare_hands_it_over():
    clip = solid_clip()
    video = Video(clip)
    arr = video._prepare("k").arrays[0]
    assert not np.shares_memory(arr, clip) and video._prepare("k").arrays[0] is arr


def ffmpeg_decode(path: Path) -> tuple[list[np.ndarray], tuple[int, int], float | None]:
    """Decode a clip with the ffmpeg that imageio-ffmpeg ships: (RGB frames, (w, h), fps)."""
    import subprocess

    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True)
    info = out.stderr.decode(errors="replace")
    stream = re.search(r"Stream #0:0.*?Video:.*?, (\d+)x(\d+)", info)
    w, h = int(stream.group(1)), int(stream.group(2))
    fps = re.search(r"([\d.]+) fps", info)
    raw = np.frombuffer(out.stdout, dtype=np.uint8)
    return list(raw.reshape(-1, h, w, 3)), (w, h), float(fps.group(1)) if fps else None


@pytest.mark.parametrize("fmt", ["mp4", "webm", "ogg"])
def test_ffmpeg_formats(tmp_path, fmt):
    pytest.importorskip("imageio_ffmpeg")
    clip = solid_clip(t=6, h=17, w=21)
    value = encode(Video(clip, fps=5, format=fmt), tmp_path)
    assert value["path"].endswith("." + fmt) and value["format"] == fmt
    assert (value["width"], value["height"]) == (21, 17)
    stored(tmp_path, value)
    frames, size, fps = ffmpeg_decode(tmp_path / value["path"])
    assert len(frames) == 6
    assert size == (22, 18)  # padded to even sides for yuv420p
    if fmt != "ogg":  # ffmpeg reports no fps for Theora-in-Ogg streams
        assert fps == pytest.approx(5)
    for i, frame in enumerate(frames):
        assert np.abs(frame[8, 10].astype(int) - COLORS[i]).max() < 40  # lossy codecs: close, not equal
    again = encode(Video(clip.copy(), fps=5, format=fmt), tmp_path / "again")
    assert again["sha256"] == value["sha256"]


def test_missing_ffmpeg_extra_is_reported_by_the_constructor(monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed
    with raises(ImportError, "tidelog.Video", 'pip install "tidelog[video]"', "mp4"):
        Video(solid_clip(), format="mp4")
    Video(solid_clip(), format="gif")  # gif needs Pillow only


@pytest.mark.parametrize("ext", ["gif", "mp4", "webm", "ogg"])
def test_file_path_kept_as_is(tmp_path, ext):
    path = tmp_path / f"clip.{ext}"
    path.write_bytes(b"GIF89a\x02\x00\x03\x00" + b"\x00" * 20 if ext == "gif" else b"\x00\x00\x00\x18ftyp" + bytes(range(40)))
    value = encode(Video(str(path)), tmp_path / "run")
    assert stored(tmp_path / "run", value) == path.read_bytes()
    assert value["format"] == ext and value["path"].endswith("." + ext)
    if ext == "gif":
        assert (value["width"], value["height"]) == (2, 3)


def test_bytesio_with_format_and_sniffed(tmp_path):
    clip_gif = stored(tmp_path, encode(Video(solid_clip()), tmp_path))
    value = encode(Video(io.BytesIO(clip_gif)), tmp_path / "a")
    assert value["format"] == "gif" and stored(tmp_path / "a", value) == clip_gif
    mp4ish = b"\x00\x00\x00\x18ftypisom" + b"\x01" * 30
    assert encode(Video(io.BytesIO(mp4ish)), tmp_path / "b")["format"] == "mp4"
    webm = encode(Video(io.BytesIO(b"opaque bytes"), format="webm"), tmp_path / "c")
    assert webm["path"].endswith(".webm")


def test_open_file(tmp_path):
    path = tmp_path / "clip.gif"
    path.write_bytes(stored(tmp_path, encode(Video(solid_clip()), tmp_path)))
    with open(path, "rb") as f:
        assert stored(tmp_path / "run", encode(Video(f), tmp_path / "run")) == path.read_bytes()


# ---------------------------------------------------------------- bad input


def test_bad_format():
    with raises(ValueError, "format", "gif, mp4, webm, ogg", "'avi'"):
        Video(solid_clip(), format="avi")


def test_bad_path(tmp_path):
    with raises(ValueError, "clip.avi", "gif, mp4, webm, ogg"):
        Video(str(tmp_path / "clip.avi"))
    with raises(ValueError, "no such file"):
        Video(str(tmp_path / "clip.mp4"))


def test_bytesio_of_unknown_format_needs_format():
    with raises(ValueError, "pass format="):
        Video(io.BytesIO(b"opaque bytes"))


@pytest.mark.parametrize("shape", [(3, 4, 4), (2, 2, 4, 4), (2, 3, 4, 4, 2, 2), (0, 3, 4, 4)])
def test_bad_shapes(shape):
    with raises(ValueError, "tidelog.Video", "(time, channels, height, width)"):
        Video(np.zeros(shape, dtype=np.uint8))


@pytest.mark.parametrize("fps", [0, -1, "4", True])
def test_bad_fps(fps):
    with raises(ValueError, "fps"):
        Video(solid_clip(), fps=fps)


def test_bad_data_type():
    with raises(TypeError, "expected a numpy array"):
        Video([1, 2, 3])
