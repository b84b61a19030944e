"""tidelog.Audio: arrays to 16-bit WAV, files kept as they are, the 100-clip limit."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from _helpers import raises, send, stored

from tidelog.errors import TidelogWarning
from tidelog.media.audio import MAX_CLIPS_PER_STEP, Audio, prepare_audio_list
from tidelog.media.listing import prepare_list

RNG = np.random.default_rng(1)


def encode(obj, run_dir: Path, key: str = "examples") -> dict:
    """Training side, the real transport framing, then the sender's encoder."""
    return send(obj._prepare(key), run_dir)


def read_wav(data: bytes) -> tuple[np.ndarray, int, int]:
    """(int16 samples shaped (n, channels), channels, rate)."""
    with wave.open(io.BytesIO(data), "rb") as w:
        assert w.getsampwidth() == 2
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return frames.reshape(-1, w.getnchannels()), w.getnchannels(), w.getframerate()


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())


def test_float_mono_to_16bit_wav(tmp_path):
    x = np.sin(np.linspace(0, 20, 800)) * 0.9
    value = encode(Audio(x, sample_rate=32, caption="Nice"), tmp_path)
    assert value["_type"] == "audio-file"
    assert value["path"] == f"media/audio/{value['sha256']}.wav"
    assert (value["caption"], value["sample_rate"], value["duration"]) == ("Nice", 32, 25.0)
    frames, channels, rate = read_wav(stored(tmp_path, value))
    assert (channels, rate) == (1, 32)
    assert np.array_equal(frames[:, 0], np.round(x * 32767).astype(np.int16))


def test_float_out_of_range_is_clipped_and_nan_is_silence(tmp_path):
    x = np.array([2.0, -3.0, np.nan, 0.5], dtype=np.float32)
    frames, _, _ = read_wav(stored(tmp_path, encode(Audio(x, sample_rate=8000), tmp_path)))
    assert frames[:, 0].tolist() == [32767, -32767, 0, 16384]


def test_stereo_channels_interleaved(tmp_path):
    x = RNG.uniform(-1, 1, size=(100, 2))
    value = encode(Audio(x, sample_rate=44100), tmp_path)
    frames, channels, rate = read_wav(stored(tmp_path, value))
    assert (channels, rate) == (2, 44100)
    assert np.array_equal(frames, np.round(x * 32767).astype(np.int16))
    assert value["duration"] == pytest.approx(100 / 44100)


def test_int16_samples_kept_exactly(tmp_path):
    x = RNG.integers(-32768, 32768, size=500).astype(np.int16)
    frames, _, _ = read_wav(stored(tmp_path, encode(Audio(x, sample_rate=16000), tmp_path)))
    assert np.array_equal(frames[:, 0], x)


@pytest.mark.parametrize(
    "samples, expected",
    [
        (np.array([-(2**31), 2**31 - 1, 65536], dtype=np.int32), [-32768, 32767, 1]),
        (np.array([0, 128, 255], dtype=np.uint8), [-32768, 0, 32512]),
        (np.array([-128, 127], dtype=np.int8), [-32768, 32512]),
        (np.array([-5, 7], dtype=np.int64), [-5, 7]),
        (np.array([0, 32768, 65535], dtype=np.uint16), [-32768, 0, 32767]),
        (np.array([0, 2**31], dtype=np.uint32), [-32768, 0]),
    ],
)
def test_integer_dtypes_are_full_scale(tmp_path, samples, expected):
    frames, _, _ = read_wav(stored(tmp_path, encode(Audio(samples, sample_rate=100), tmp_path)))
    assert frames[:, 0].tolist() == expected


def test_torch_tensor(tmp_path):
    torch = pytest.importorskip("torch")
    x = torch.linspace(-1, 1, 50, requires_grad=True)
    frames, _, rate = read_wav(stored(tmp_path, encode(Audio(x, sample_rate=50), tmp_path)))
    assert rate == 50 and frames[0, 0] == -32767 and frames[-1, 0] == 32767


def test_constructor_snapshots_once_and_prepare_hands_it_over():
    x = np.zeros(10)
    clip = Audio(x, sample_rate=10)
    arr = clip._prepare("k").arrays[0]
    assert not np.shares_memory(arr, x) and not arr.flags.writeable
    assert clip._prepare("k").arrays[0] is arr  # log() gets the snapshot, not a further copy


def test_same_clip_same_file(tmp_path):
    x = RNG.uniform(-1, 1, 300)
    assert encode(Audio(x, sample_rate=10), tmp_path)["path"] == encode(Audio(x.copy(), sample_rate=10), tmp_path)["path"]


def test_wav_file_kept_as_is_with_its_header(tmp_path):
    path = tmp_path / "clip.wav"
    write_wav(path, RNG.integers(-1000, 1000, 2205), 22050)
    value = encode(Audio(str(path), caption="file"), tmp_path / "run")
    assert stored(tmp_path / "run", value) == path.read_bytes()
    assert value["path"].endswith(".wav")
    assert (value["sample_rate"], value["duration"], value["caption"]) == (22050, 0.1, "file")


def test_other_audio_files_keep_bytes_and_extension(tmp_path):
    path = tmp_path / "clip.mp3"
    path.write_bytes(b"ID3\x03\x00fake mp3 payload")
    value = encode(Audio(path), tmp_path / "run")
    assert value["path"].endswith(".mp3")
    assert stored(tmp_path / "run", value) == path.read_bytes()
    assert value["sample_rate"] is None and value["duration"] is None


def test_open_binary_file(tmp_path):
    path = tmp_path / "clip.wav"
    write_wav(path, np.arange(10), 10)
    with open(path, "rb") as f:
        value = encode(Audio(f), tmp_path / "run")
    assert stored(tmp_path / "run", value) == path.read_bytes() and value["sample_rate"] == 10


# ---------------------------------------------------------------- lists


def test_list_of_clips_is_wandbs_audio_value(tmp_path):
    clips = [Audio(np.zeros(8), sample_rate=8, caption="a"), Audio(np.ones(16) * 0.5, sample_rate=16)]
    prep = prepare_audio_list("examples", clips)
    value = send(prep, tmp_path)
    assert value["_type"] == "audio" and value["count"] == 2
    assert value["sampleRates"] == [8, 16] and value["durations"] == [1.0, 1.0]
    assert value["captions"] == ["a", ""]
    frames, _, rate = read_wav(stored(tmp_path, value["audio"][1]))
    assert rate == 16 and frames[:, 0].tolist() == [16384] * 16


def test_more_than_100_clips_keeps_100_and_warns(tmp_path):
    clips = [Audio(np.full(4, i / 200), sample_rate=4) for i in range(MAX_CLIPS_PER_STEP + 5)]
    assert Audio._MAX_PER_STEP == 100
    with pytest.warns(TidelogWarning, match=r"key 'examples': 105 audio clips.*first 100"):
        prep = prepare_audio_list("examples", clips)
    value = send(prep, tmp_path)
    assert value["count"] == 100 and len(value["audio"]) == 100
    assert "captions" not in value


def test_100_clips_do_not_warn():
    prepare_audio_list("examples", [Audio(np.zeros(2), sample_rate=2) for _ in range(100)])


def test_listing_hands_audio_lists_to_prepare_audio_list():
    clips = [Audio(np.zeros(2), sample_rate=2) for _ in range(101)]
    with pytest.warns(TidelogWarning, match="key 'clips'"):
        prep = prepare_list("clips", clips)
    assert prep.kind == "audio-list" and len(prep.arrays) == 100


def test_list_with_something_else_names_the_key():
    with raises(TypeError, "key 'examples'", "index 1", "int"):
        prepare_audio_list("examples", [Audio(np.zeros(2), sample_rate=2), 3])


# ---------------------------------------------------------------- bad input


def test_sample_rate_required_for_arrays():
    with raises(ValueError, "tidelog.Audio", "sample_rate is required"):
        Audio(np.zeros(10))


@pytest.mark.parametrize("rate", [0, -8000, 44.1, "44100"])
def test_bad_sample_rate(rate):
    with pytest.raises((TypeError, ValueError), match="sample_rate"):
        Audio(np.zeros(10), sample_rate=rate)


def test_bad_shapes_and_dtypes():
    with raises(ValueError, "shape (2, 3, 4)", "n_channels"):
        Audio(np.zeros((2, 3, 4)), sample_rate=8)
    with raises(ValueError, "no samples"):
        Audio(np.zeros(0), sample_rate=8)
    with raises(TypeError, "dtype complex128"):
        Audio(np.zeros(4, dtype=complex), sample_rate=8)
    with raises(ValueError, "16-bit", "70000"):
        Audio(np.array([0, 70000]), sample_rate=8)
    with raises(TypeError, "expected a numpy array"):
        Audio(object(), sample_rate=8)


def test_missing_file_and_no_extension(tmp_path):
    with raises(ValueError, "no such file"):
        Audio(str(tmp_path / "nope.wav"))
    (tmp_path / "clip").write_bytes(b"abc")
    with raises(ValueError, "extension"):
        Audio(str(tmp_path / "clip"))
