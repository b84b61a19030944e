"""``tidelog.Video``: clips from arrays, files or in-memory bytes.

``Video(data_or_path, caption=None, fps=4, format=None)``:

* numpy arrays ``(T, C, H, W)`` or ``(B, T, C, H, W)`` with ``C`` in 1, 3, 4.
  A batch is tiled into one grid the way W&B (after tensorboardX) does: the
  batch is padded with black clips to a power of two, laid out in
  ``2 ** ((B.bit_length() - 1) // 2)`` rows. Non-uint8 data is clipped to
  ``[0, 255]`` and cast (W&B casts without clipping, which wraps around).
  ``format`` defaults to ``"gif"``, encoded with Pillow alone (frame duration
  ``1000 / fps`` ms; GIF stores it in 10 ms steps, looping forever). Pillow
  writes identical consecutive frames once, with their durations summed: the
  clip plays the same, with fewer frames in the file.
  ``"mp4"`` (H.264), ``"webm"`` (VP8) and ``"ogg"`` (Theora) need the
  optional extra (``pip install "tidelog[video]"``; tidelog drives the ffmpeg
  that imageio-ffmpeg ships); its absence is reported by the constructor, not
  by the sender. Frames are written single-threaded with bit-exact flags so
  the same frames give the same file.
* a path (or an open file) of a gif/mp4/webm/ogg file: kept as its own bytes.
* a ``BytesIO``: kept as its bytes; ``format`` names the container. When it is
  not given, gif/mp4/webm/ogg are recognised from their first bytes.

History value (W&B's ``video-file``; tidelog adds ``format`` and ``fps``)::

    {"_type": "video-file", "path": "media/videos/<sha256>.gif", "sha256": ...,
     "size": ..., "width": ..., "height": ..., "format": "gif", "fps": 4,
     "caption": ...}
"""

from __future__ import annotations

import io
import numbers
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tidelog.media import files
from tidelog.media.base import Media, Prepared, register_encoder
from tidelog.media.tensors import tensor_to_numpy

__all__ = ["Video", "FORMATS", "grid_shape", "tile_frames"]

FORMATS = ("gif", "mp4", "webm", "ogg")
_FFMPEG_CODECS = {"mp4": "libx264", "webm": "libvpx", "ogg": "libtheora"}
_CHANNELS = (1, 3, 4)
_VIDEO_EXTRA = 'pip install "tidelog[video]"'
# Same frames, same bytes: no encoder version strings or timestamps, one thread.
_OUTPUT_PARAMS = ["-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", "-threads", "1"]


def _check_format(fmt: Any, what: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"{what}: format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return fmt


def _check_fps(fps: Any, what: str) -> float | int:
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not 0 < fps <= 1000:  # type: ignore[operator]  # typeshed's numbers.Real has no __lt__; int, float, numpy do
        raise ValueError(f"{what}: fps must be a number of frames per second in (0, 1000], got {fps!r}")
    return fps  # type: ignore[return-value]  # a Real checked above: an int or a float


def _require_ffmpeg(fmt: str, what: str) -> None:
    """A clear error now, on the training side, when the video extra is missing."""
    try:
        import imageio_ffmpeg  # noqa: F401  (small: stdlib only; ffmpeg itself starts in the sender)
    except ImportError:
        raise ImportError(
            f"{what}: writing {fmt} from an array needs imageio-ffmpeg, which is not installed; "
            f"install it with: {_VIDEO_EXTRA}  "
            f"(or log format='gif', which needs only Pillow)"
        ) from None


def _sniff(data: bytes) -> str | None:
    """The container of video bytes, from their magic numbers."""
    if data[:4] == b"GIF8":
        return "gif"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"OggS":
        return "ogg"
    return None


def grid_shape(batch: int) -> tuple[int, int]:
    """(rows, columns) W&B tiles a batch of ``batch`` clips into."""
    padded = batch if batch & (batch - 1) == 0 else 2 ** batch.bit_length()
    rows = 2 ** ((batch.bit_length() - 1) // 2)
    return rows, padded // rows


def tile_frames(video: np.ndarray) -> np.ndarray:
    """(B, T, C, H, W) or (T, C, H, W) -> (T, rows*H, cols*W, C), W&B's layout."""
    if video.ndim == 4:
        video = video[None]
    b, t, c, h, w = video.shape
    rows, cols = grid_shape(b)
    if rows * cols != b:
        pad = np.zeros((rows * cols - b, t, c, h, w), dtype=video.dtype)
        video = np.concatenate((video, pad), axis=0)
    video = video.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return video.reshape(t, rows * h, cols * w, c)


def _gif_bytes(frames: np.ndarray, fps: float) -> bytes:
    from PIL import Image as PILImage

    squeeze = frames.shape[-1] == 1
    images = [PILImage.fromarray(f[..., 0] if squeeze else f) for f in frames]
    buf = io.BytesIO()
    duration = round(1000 / fps)
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0)
    return buf.getvalue()


def _ffmpeg_bytes(frames: np.ndarray, fps: float, fmt: str) -> bytes:
    import imageio_ffmpeg

    if frames.shape[-1] == 1:
        frames = np.repeat(frames, 3, axis=-1)
    elif frames.shape[-1] == 4:
        frames = frames[..., :3]
    _, h, w, _ = frames.shape
    frames = np.pad(frames, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)))  # yuv420p needs even sides
    with tempfile.TemporaryDirectory(prefix="tidelog-video-") as tmp:
        path = os.path.join(tmp, f"clip.{fmt}")
        writer = imageio_ffmpeg.write_frames(
            path, (frames.shape[2], frames.shape[1]), fps=fps, codec=_FFMPEG_CODECS[fmt],
            macro_block_size=1, ffmpeg_log_level="error", output_params=_OUTPUT_PARAMS,
        )
        writer.send(None)  # start ffmpeg
        try:
            for frame in frames:
                writer.send(np.ascontiguousarray(frame))
        finally:
            writer.close()
        return Path(path).read_bytes()


class Video(Media):
    """A video to log (see module docstring)."""

    def __init__(self, data_or_path: Any, caption: str | None = None, fps: int = 4, format: str | None = None) -> None:
        what = "tidelog.Video"
        self._caption = files.check_caption(caption, what)
        self._fps = _check_fps(fps, what)
        self._width: int | None = None
        self._height: int | None = None
        if format is not None:
            _check_format(format, what)
        path = files.file_path(data_or_path)
        if path is not None:
            self._from_path(path, what)
        elif hasattr(data_or_path, "read"):
            self._from_stream(data_or_path, format, what)
        else:
            self._from_array(data_or_path, format or "gif", what)

    def _from_array(self, data: Any, fmt: str, what: str) -> None:
        tensor = tensor_to_numpy(data)
        data = data if tensor is None else tensor
        if not isinstance(data, np.ndarray):
            raise TypeError(f"{what}: expected a numpy array, a path or a BytesIO, got {type(data).__name__}")
        if data.ndim not in (4, 5) or data.shape[-3] not in _CHANNELS or 0 in data.shape:
            raise ValueError(
                f"{what}: video array has shape {tuple(data.shape)}; expected (time, channels, height, width) "
                f"or (batch, time, channels, height, width) with channels in 1, 3, 4"
            )
        if data.dtype.kind not in "biuf":
            raise TypeError(f"{what}: video array has dtype {data.dtype}; expected integers or floats")
        if fmt != "gif":
            _require_ffmpeg(fmt, what)
        rows, cols = grid_shape(1 if data.ndim == 4 else data.shape[0])
        self._height, self._width = rows * data.shape[-2], cols * data.shape[-1]
        # The frames as they are now (W&B encodes in the constructor).
        self._source, self._format, self._payload = "array", fmt, files.snapshot(data)

    def _from_path(self, path: Any, what: str) -> None:
        ext = files.extension(path)
        if ext not in FORMATS:
            raise ValueError(f"{what}: {os.fspath(path)!r} is not a {', '.join(FORMATS)} file")
        self._from_bytes(files.read_path(path, what), ext, what)

    def _from_stream(self, stream: Any, fmt: str | None, what: str) -> None:
        data = files.read_stream(stream, what, text="video streams must be binary (BytesIO or a file opened 'rb')")
        fmt = fmt or _sniff(data)
        if fmt is None:
            raise ValueError(f"{what}: cannot tell the format of these bytes; pass format= one of {', '.join(FORMATS)}")
        self._from_bytes(data, fmt, what)

    def _from_bytes(self, data: bytes, fmt: str, what: str) -> None:
        if not data:
            raise ValueError(f"{what}: the video file is empty")
        if fmt == "gif":
            self._width, self._height = _gif_size(data)
        self._source, self._format, self._payload = "file", fmt, files.bytes_array(data)

    def _prepare(self, key: str) -> Prepared:
        meta = {
            "source": self._source,
            "format": self._format,
            "fps": self._fps,
            "width": self._width,
            "height": self._height,
            "caption": self._caption,
        }
        return Prepared("video", meta, [self._payload])


def _gif_size(data: bytes) -> tuple[int | None, int | None]:
    """Logical screen size from a GIF header (bytes 6..9, little-endian)."""
    if len(data) < 10:
        return None, None
    return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")


# --------------------------------------------------------------------------
# sender side


def _frames(payload: Any) -> np.ndarray:
    video = np.asarray(payload)
    if video.dtype != np.uint8:
        if video.dtype.kind == "f":
            video = np.nan_to_num(video, nan=0.0)
        video = video.clip(0, 255).astype(np.uint8)
    return tile_frames(video)


@register_encoder("video")
def encode_video(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the clip; return the ``video-file`` value."""
    fmt = meta["format"]
    if meta["source"] == "file":
        data = files.to_bytes(arrays[0])
    elif fmt == "gif":
        data = _gif_bytes(_frames(arrays[0]), meta["fps"])
    else:
        data = _ffmpeg_bytes(_frames(arrays[0]), meta["fps"], fmt)
    value = {"_type": "video-file", **files.store_file(run_dir, "videos", data, fmt), "format": fmt, "fps": meta["fps"]}
    if meta["width"] is not None:
        value.update(width=meta["width"], height=meta["height"])
    if meta["caption"]:
        value["caption"] = meta["caption"]
    return value
