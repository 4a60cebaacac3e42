"""Noise reduction before recognition: the near talker kept, steady noise gated out.

At the kiosk the person speaks close to the microphone; the agency's chatter and hiss come
from further away, quieter. Two steps, in numpy, on one turn's audio:

1. `focus`: the turn is cut down to the stretch where the near talker is heard (from the
   first to the last frame within `FOCUS_DB` of the loudest ones, with a margin); the rest
   is faded down by `OUTSIDE_GAIN_DB`. Far-away talk before or after the answer is what
   makes Whisper write whole invented sentences in babble.
2. `spectral_gate`: the noise's spectrum is measured where the near talker is silent, and
   each time-frequency bin that is not clearly above it is turned down (spectral gating,
   as in the noisereduce package, written here in a few lines).

Silence and steady noise alone are left as they are: the VAD decides whether anyone spoke.
"""

from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger(__name__)

FRAME_S = 0.02  # level measured on 20 ms frames
LOUD_PERCENTILE = 95  # "the loudest frames": this percentile of frame levels
FOCUS_DB = 10.0  # frames within this of the loudest belong to the near talker
MARGIN_S = 0.25  # kept around the near talker's stretch (soft consonants, a breath)
OUTSIDE_GAIN_DB = -30.0  # what is left of the audio outside that stretch
FADE_S = 0.05
MIN_NOISE_S = 0.15  # audio needed outside the stretch to measure the noise's spectrum
FFT_SIZE = 512
HOP = 128
GATE_SIGMAS = 1.5  # a bin louder than the noise mean plus this many deviations is kept
GATE_FLOOR_DB = -12.0  # a gated bin is turned down by this much, not to zero (fewer artefacts)


def _frame_levels(samples: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    size = max(1, int(rate * FRAME_S))
    count = len(samples) // size
    frames = samples[: count * size].reshape(count, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1)) + 1e-9
    return 20 * np.log10(rms), size


def near_talker_span(samples: np.ndarray, rate: int) -> tuple[int, int] | None:
    """(start, end) sample indices of the near talker's stretch, or None for the whole turn."""
    levels, size = _frame_levels(samples, rate)
    if len(levels) < 3:
        return None
    loud = np.flatnonzero(levels >= np.percentile(levels, LOUD_PERCENTILE) - FOCUS_DB)
    margin = int(MARGIN_S * rate)
    start = max(0, int(loud[0]) * size - margin)
    end = min(len(samples), (int(loud[-1]) + 1) * size + margin)
    if start == 0 and end == len(samples):
        return None
    return start, end


def focus(samples: np.ndarray, rate: int) -> np.ndarray:
    """`samples` (float32) with everything outside the near talker's stretch faded down."""
    span = near_talker_span(samples, rate)
    if span is None:
        return samples
    start, end = span
    gain = np.full(len(samples), 10 ** (OUTSIDE_GAIN_DB / 20), dtype=np.float32)
    gain[start:end] = 1.0
    fade = int(FADE_S * rate)
    ramp = np.linspace(10 ** (OUTSIDE_GAIN_DB / 20), 1.0, fade, dtype=np.float32)
    if start > 0:
        head = min(fade, start)
        gain[start - head : start] = ramp[-head:]
    if end < len(samples):
        tail = min(fade, len(samples) - end)
        gain[end : end + tail] = ramp[::-1][:tail]
    return samples * gain


def _stft(samples: np.ndarray) -> np.ndarray:
    window = np.hanning(FFT_SIZE)
    padded = np.pad(samples, (FFT_SIZE // 2, FFT_SIZE // 2))
    count = 1 + (len(padded) - FFT_SIZE) // HOP
    index = np.arange(FFT_SIZE)[None, :] + HOP * np.arange(count)[:, None]
    return np.fft.rfft(padded[index] * window, axis=1)


def _istft(spectrum: np.ndarray, length: int) -> np.ndarray:
    window = np.hanning(FFT_SIZE)
    frames = np.fft.irfft(spectrum, n=FFT_SIZE, axis=1) * window
    total = FFT_SIZE + HOP * (len(frames) - 1)
    out = np.zeros(total)
    norm = np.zeros(total)
    for index, frame in enumerate(frames):
        out[index * HOP : index * HOP + FFT_SIZE] += frame
        norm[index * HOP : index * HOP + FFT_SIZE] += window * window
    out /= np.maximum(norm, 1e-8)
    return out[FFT_SIZE // 2 : FFT_SIZE // 2 + length]


def spectral_gate(samples: np.ndarray, rate: int) -> np.ndarray:
    """`samples` with the bins not clearly above the noise turned down.

    The noise is measured outside the near talker's stretch; with too little audio there,
    the samples come back unchanged.
    """
    span = near_talker_span(samples, rate)
    if span is None:
        return samples
    start, end = span
    noise = np.concatenate([samples[:start], samples[end:]]).astype(np.float64)
    if len(noise) < MIN_NOISE_S * rate or not np.any(noise):
        return samples
    noise_db = 20 * np.log10(np.abs(_stft(noise)) + 1e-9)
    threshold = noise_db.mean(axis=0) + GATE_SIGMAS * noise_db.std(axis=0)
    spectrum = _stft(samples.astype(np.float64))
    level = 20 * np.log10(np.abs(spectrum) + 1e-9)
    keep = (level > threshold[None, :]).astype(np.float64)
    # Smooth the mask over neighbouring frames and bins, so isolated bins do not "sing".
    kernel = np.ones(3) / 3
    keep = np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), 0, keep)
    keep = np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), 1, keep)
    floor = 10 ** (GATE_FLOOR_DB / 20)
    gain = floor + (1 - floor) * keep
    return _istft(spectrum * gain, len(samples)).astype(np.float32)


def denoise(samples: np.ndarray, rate: int) -> np.ndarray:
    """Both steps: the noise measured first (on the raw audio), then the far talk faded."""
    return focus(spectral_gate(samples, rate), rate)


__all__ = ["denoise", "focus", "near_talker_span", "spectral_gate"]
