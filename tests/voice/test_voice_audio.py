"""Reading the person's recordings: bad files get a clear French message."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from voice.audio import Audio, AudioError, read_wav, silence, tone


def wav_bytes(samples: np.ndarray, rate: int, channels: int = 1, width: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def test_stereo_is_mixed_down() -> None:
    left = (np.sin(np.arange(8000) / 5) * 10000).astype("<i2")
    stereo = np.stack([left, np.zeros_like(left)], axis=1).reshape(-1)
    audio = read_wav(wav_bytes(stereo, 16000, channels=2))
    assert audio.rate == 16000
    assert len(audio.samples) == 8000
    assert np.allclose(audio.samples, left / 2, atol=1)


def test_other_rate_is_resampled_to_16k() -> None:
    audio = tone(44_100, milliseconds=1000)
    converted = read_wav(audio.to_wav()).resampled(16_000)
    assert converted.rate == 16_000
    assert abs(converted.duration - 1.0) < 0.01
    assert abs(converted.rms - audio.rms) / audio.rms < 0.05


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (wav_bytes(np.zeros(0, dtype="<i2"), 16000), "vide"),
        (wav_bytes(np.zeros(100, dtype="<i2"), 4000), "fréquence de 4000 hertz"),
        (b"RIFF....WAVEfmt nothing", "pas un enregistrement WAV"),
        (b"", "pas un enregistrement WAV"),
        (b"ID3\x03\x00 this is an mp3", "pas un enregistrement WAV"),
    ],
)
def test_bad_recordings_get_a_french_message(data: bytes, message: str) -> None:
    with pytest.raises(AudioError, match=message):
        read_wav(data)


def test_missing_file_gets_a_french_message(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="Je ne trouve pas"):
        read_wav(tmp_path / "absent.wav")


def test_8_bit_and_24_bit_are_read() -> None:
    eight = (np.full(1600, 200)).astype(np.uint8)
    assert read_wav(wav_bytes(eight, 16000, width=1)).samples[0] == (200 - 128) * 256
    value = 1 << 20  # 24-bit little endian
    raw = np.frombuffer(value.to_bytes(3, "little") * 100, dtype=np.uint8)
    assert read_wav(wav_bytes(raw, 16000, width=3)).samples[0] == value >> 8


def test_wav_round_trip_and_tone() -> None:
    beep = tone(16_000)
    assert 0.1 < beep.duration < 0.2
    again = read_wav(beep.to_wav())
    assert np.array_equal(again.samples, beep.samples)
    joined = silence(500, 16_000) + beep
    assert abs(joined.duration - (0.5 + beep.duration)) < 1e-6
    assert Audio(beep.samples, 16_000).scaled(10).samples.max() == 32767
