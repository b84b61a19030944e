"""``tidelog.Audio``: sound clips, stored as WAV files.

``Audio(data_or_path, sample_rate=None, caption=None)``:

* numpy arrays, 1-D (mono) or ``(n_samples, n_channels)``; ``sample_rate`` is
  required. They are written by the sender as **16-bit PCM WAV** with the
  standard library's ``wave`` module (every browser plays it; the ``wave``
  module cannot write float WAV). Float samples are read as ``[-1, 1]``
  (clipped, NaN -> 0) and scaled by 32767; ``int16`` samples are kept;
  other 8/16/32-bit integers are full-scale in their own range (unsigned ones
  centred on half their range, as soundfile reads them) and rescaled to 16
  bits; 64-bit integers must already hold 16-bit sample values.
* paths (or open binary files) of audio files: kept as their own bytes and
  extension. For WAV files the sample rate and duration are read from the
  header.

History value (W&B's ``audio-file``, plus ``sample_rate`` and ``duration``)::

    {"_type": "audio-file", "path": "media/audio/<sha256>.wav", "sha256": ...,
     "size": ..., "caption": ..., "sample_rate": 16000, "duration": 1.5}

A list of clips under one key becomes W&B's ``{"_type": "audio", "count": n,
"audio": [...], "sampleRates": [...], "durations": [...], "captions": [...]}``
through ``prepare_audio_list``, which keeps at most ``Audio._MAX_PER_STEP``
(100) clips and warns about the rest.
"""

from __future__ import annotations

import io
import numbers
import wave
from pathlib import Path
from typing import Any

import numpy as np

from tidelog._warn import warn
from tidelog.media import files
from tidelog.media.base import Media, Prepared, pack_items, register_encoder, unpack_items
from tidelog.media.tensors import is_tensor, tensor_to_numpy

__all__ = ["Audio", "prepare_audio_list", "MAX_CLIPS_PER_STEP"]

#: W&B's limit: at most this many clips per key per step.
MAX_CLIPS_PER_STEP = 100
_MAX_CHANNELS = 64
_INT16 = np.iinfo(np.int16)


def _sample_rate(rate: Any, what: str) -> int:
    if rate is None:
        raise ValueError(f"{what}: sample_rate is required when passing raw audio data (e.g. sample_rate=16000)")
    if isinstance(rate, bool) or not isinstance(rate, (numbers.Integral, numbers.Real)) or rate != int(rate):  # type: ignore[call-overload]  # typeshed's numbers.Real lacks __int__; every Real here (int, float, numpy) has it
        raise TypeError(f"{what}: sample_rate must be a whole number of samples per second, got {rate!r}")
    if not 1 <= int(rate) <= 0xFFFFFFFF:  # type: ignore[call-overload]  # as above
        raise ValueError(f"{what}: sample_rate must be positive, got {rate!r}")
    return int(rate)  # type: ignore[call-overload]  # as above


def _check_samples(arr: np.ndarray, what: str) -> None:
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{what}: audio samples must be integers or floats, got dtype {arr.dtype}")
    if arr.ndim not in (1, 2) or (arr.ndim == 2 and not 1 <= arr.shape[1] <= _MAX_CHANNELS):
        raise ValueError(
            f"{what}: audio array has shape {tuple(arr.shape)}; expected (n_samples,) for mono "
            f"or (n_samples, n_channels) with 1..{_MAX_CHANNELS} channels"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{what}: audio array holds no samples")
    if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8 and (arr.min() < _INT16.min or arr.max() > _INT16.max):
        raise ValueError(
            f"{what}: {arr.dtype} samples are taken as 16-bit values and must lie in "
            f"{_INT16.min}..{_INT16.max}; got {arr.min()}..{arr.max()} (pass floats in [-1, 1] or int16)"
        )


def _wav_header(data: bytes) -> tuple[int | None, float | None]:
    """(sample rate, duration) of WAV bytes, or (None, None) when wave cannot read them."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            rate = w.getframerate()
            return rate, w.getnframes() / rate if rate else None
    except (wave.Error, EOFError):  # e.g. float or compressed WAV: kept as is, header unknown
        return None, None


class Audio(Media):
    """An audio clip to log (see module docstring)."""

    _MAX_PER_STEP = MAX_CLIPS_PER_STEP

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        what = "tidelog.Audio"
        self._caption = files.check_caption(caption, what)
        path = files.file_path(data_or_path)
        if path is not None:
            self._from_file(files.read_path(path, what), files.extension(path), sample_rate, what)
        elif hasattr(data_or_path, "read"):
            data = files.read_stream(data_or_path, what, text="open audio files in binary mode ('rb')", rewind=False)
            self._from_file(data, "wav" if data[:4] == b"RIFF" else "", sample_rate, what)
        else:
            self._from_array(data_or_path, sample_rate, what)

    def _from_array(self, data: Any, sample_rate: Any, what: str) -> None:
        if isinstance(data, np.ndarray):
            arr = data
        elif is_tensor(data):
            arr = tensor_to_numpy(data)  # type: ignore[assignment]  # not None: is_tensor(data) held
        elif isinstance(data, (list, tuple)):
            arr = np.asarray(data)
        else:
            raise TypeError(f"{what}: expected a numpy array or a path to an audio file, got {type(data).__name__}")
        _check_samples(arr, what)
        self._sample_rate = _sample_rate(sample_rate, what)
        self._duration = arr.shape[0] / self._sample_rate
        # The samples as they are now (W&B writes the file in the constructor).
        self._source, self._ext = "array", "wav"
        self._payload = files.snapshot(arr, fresh=isinstance(data, (list, tuple)))

    def _from_file(self, data: bytes, ext: str, sample_rate: Any, what: str) -> None:
        if not ext:
            raise ValueError(f"{what}: the audio file needs an extension (wav, mp3, ogg, flac ...)")
        rate, duration = _wav_header(data) if ext == "wav" else (None, None)
        if rate is None and sample_rate is not None:
            rate = _sample_rate(sample_rate, what)
        self._sample_rate, self._duration = rate, duration  # type: ignore[assignment]  # None: a non-wav file given no sample_rate
        self._source, self._ext, self._payload = "file", ext, files.bytes_array(data)

    def _prepare(self, key: str) -> Prepared:
        meta = {
            "source": self._source,
            "ext": self._ext,
            "sample_rate": self._sample_rate,
            "duration": self._duration,
            "caption": self._caption,
        }
        return Prepared("audio", meta, [self._payload])

    @classmethod
    def _prepare_list(cls, key: str, items: list) -> Prepared:
        return prepare_audio_list(key, items)


def prepare_audio_list(key: str, items: list) -> Prepared:
    """A list of clips under one key: at most ``Audio._MAX_PER_STEP``, the rest dropped with a warning."""
    bad = [i for i, item in enumerate(items) if not isinstance(item, Audio)]
    if bad:
        raise TypeError(
            f"tidelog.log: key {key!r}: a list of Audio holds a {type(items[bad[0]]).__name__} at index {bad[0]}"
        )
    limit = Audio._MAX_PER_STEP
    if len(items) > limit:
        warn(f"tidelog.log: key {key!r}: {len(items)} audio clips in one step; only the first "
             f"{limit} are logged (W&B's limit per key per step)")
        items = items[:limit]
    metas, arrays = pack_items([item._prepare(key) for item in items])
    return Prepared("audio-list", {"items": metas}, arrays)


# --------------------------------------------------------------------------
# sender side


def _pcm16(arr: np.ndarray) -> np.ndarray:
    """Samples as int16 (see module docstring for the scaling of each dtype)."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
        return np.round(np.clip(arr, -1.0, 1.0) * _INT16.max).astype(np.int16)
    if arr.dtype.itemsize == 8:  # checked on the training side to hold 16-bit values
        return arr.astype(np.int16)
    wide = arr.astype(np.int64)
    if arr.dtype.kind == "u":  # unsigned PCM is centred on half its range
        wide -= 2 ** (8 * arr.dtype.itemsize - 1)
    shift = 8 * arr.dtype.itemsize - 16
    return (wide >> shift if shift >= 0 else wide << -shift).astype(np.int16)


def _wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    pcm = _pcm16(samples)
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(pcm, dtype="<i2").tobytes())
    return buf.getvalue()


@register_encoder("audio")
def encode_audio(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: write the clip; return the ``audio-file`` value."""
    if meta["source"] == "array":
        data = _wav_bytes(arrays[0], meta["sample_rate"])
    else:
        data = files.to_bytes(arrays[0])
    value = {"_type": "audio-file", **files.store_file(run_dir, "audio", data, meta["ext"])}
    value.update(caption=meta["caption"], sample_rate=meta["sample_rate"], duration=meta["duration"])
    return value


@register_encoder("audio-list")
def encode_audio_list(meta: dict, arrays: list, run_dir: Path) -> dict:
    """Sender side: W&B's ``audio`` value for a list of clips."""
    values = [encode_audio(m, a, run_dir) for _, m, a in unpack_items(meta["items"], arrays)]
    out: dict[str, Any] = {
        "_type": "audio",
        "count": len(values),
        "audio": values,
        "sampleRates": [v["sample_rate"] for v in values],
        "durations": [v["duration"] for v in values],
    }
    captions = [v["caption"] for v in values]
    if any(c is not None for c in captions):
        out["captions"] = ["" if c is None else c for c in captions]
    return out
