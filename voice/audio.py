"""Audio helpers shared by the voice stages: WAV reading and checking, resampling, tones."""

from __future__ import annotations

import io
import logging
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

logger = logging.getLogger(__name__)

MIN_RATE = 8_000  # Hz; below this a recording cannot be understood.
MAX_RATE = 96_000
TONE_HZ = 880.0  # "I'm listening" tone.
TONE_MS = 150
TONE_LEVEL = 0.25
FADE_MS = 10
SILENT_RMS = 30.0  # int16 RMS under which a recording is taken as silent.


class AudioError(ValueError):
    """A recording that cannot be used. The message is French and can be spoken."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit PCM samples and their rate."""

    samples: np.ndarray  # int16, one channel
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / float(self.rate) if self.rate else 0.0

    @property
    def rms(self) -> float:
        if len(self.samples) == 0:
            return 0.0
        return float(np.sqrt(np.mean(self.samples.astype(np.float64) ** 2)))

    def pcm(self) -> bytes:
        """Raw little-endian 16-bit samples."""
        return self.samples.astype("<i2").tobytes()

    def to_wav(self) -> bytes:
        """The audio as a WAV file (bytes)."""
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes(self.pcm())
        return buffer.getvalue()

    def resampled(self, rate: int) -> Audio:
        """The same audio at `rate` Hz (polyphase filter, no aliasing)."""
        if rate == self.rate or len(self.samples) == 0:
            return Audio(self.samples, rate)
        divisor = np.gcd(rate, self.rate)
        converted = resample_poly(
            self.samples.astype(np.float32), rate // divisor, self.rate // divisor
        )
        return Audio(np.clip(np.round(converted), -32768, 32767).astype(np.int16), rate)

    def scaled(self, gain: float) -> Audio:
        """Louder or quieter, clipped to the 16-bit range."""
        if gain == 1.0:
            return self
        louder = np.clip(self.samples.astype(np.float32) * gain, -32768, 32767)
        return Audio(louder.astype(np.int16), self.rate)

    def __add__(self, other: Audio) -> Audio:
        other = other.resampled(self.rate)
        return Audio(np.concatenate([self.samples, other.samples]), self.rate)


def silence(milliseconds: int, rate: int) -> Audio:
    """Digital silence."""
    return Audio(np.zeros(int(rate * milliseconds / 1000), dtype=np.int16), rate)


def tone(rate: int, hz: float = TONE_HZ, milliseconds: int = TONE_MS) -> Audio:
    """A short soft beep with faded edges: the kiosk's "I'm listening" signal."""
    count = int(rate * milliseconds / 1000)
    times = np.arange(count) / rate
    wave_form = np.sin(2 * np.pi * hz * times) * TONE_LEVEL
    fade = max(1, int(rate * FADE_MS / 1000))
    envelope = np.ones(count)
    envelope[:fade] = np.linspace(0, 1, fade)
    envelope[-fade:] = np.linspace(1, 0, fade)
    return Audio((wave_form * envelope * 32767).astype(np.int16), rate)


def read_wav(source: str | Path | bytes) -> Audio:
    """Reads a WAV file (path or bytes) as mono 16-bit audio at its own rate.

    Stereo is mixed down and 8/24/32-bit samples are converted. Raises `AudioError`
    with a French message for anything that is not a usable recording.
    """
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    except OSError as error:
        raise AudioError("Je ne trouve pas ce fichier son.") from error
    try:
        with handle, wave.open(handle, "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise AudioError("Ce fichier n'est pas un enregistrement WAV lisible.") from error
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(
            f"Cet enregistrement a une fréquence de {rate} hertz. "
            f"Il faut entre {MIN_RATE} et {MAX_RATE} hertz."
        )
    samples = _decode(frames, width)
    if samples is None:
        raise AudioError("Ce format de son n'est pas pris en charge. Il faut du WAV PCM.")
    if channels > 1:
        usable = len(samples) - len(samples) % channels
        samples = samples[:usable].reshape(-1, channels).mean(axis=1)
        logger.info("Stereo recording (%s channels) mixed down to mono", channels)
    audio = Audio(np.clip(samples, -32768, 32767).astype(np.int16), rate)
    if len(audio.samples) == 0:
        raise AudioError("Cet enregistrement est vide.")
    return audio


def _decode(frames: bytes, width: int) -> np.ndarray | None:
    if width == 2:
        return np.frombuffer(frames, dtype="<i2").astype(np.float64)
    if width == 1:
        return (np.frombuffer(frames, dtype=np.uint8).astype(np.float64) - 128.0) * 256.0
    if width == 3:
        raw = np.frombuffer(frames, dtype=np.uint8)
        raw = raw[: len(raw) - len(raw) % 3].reshape(-1, 3)
        values = raw[:, 0].astype(np.int32) | (raw[:, 1].astype(np.int32) << 8)
        values |= raw[:, 2].astype(np.int32) << 16
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float64) / 256.0
    if width == 4:
        return np.frombuffer(frames, dtype="<i4").astype(np.float64) / 65536.0
    return None


def is_silent(audio: Audio) -> bool:
    """True when a recording holds nothing but (near) silence."""
    return audio.rms < SILENT_RMS


__all__ = ["Audio", "AudioError", "is_silent", "read_wav", "silence", "tone"]
