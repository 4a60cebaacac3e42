"""End of speech: webrtcvad decides, frame by frame, when a person starts and stops talking."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import webrtcvad

from voice.audio import Audio
from voice.config import (
    FRAME_MS,
    MIN_SPEECH_RMS,
    PRE_ROLL_MS,
    SAMPLE_RATE,
    START_SPEECH_MS,
    VAD_AGGRESSIVENESS,
)

logger = logging.getLogger(__name__)

VAD_RATES = (8_000, 16_000, 32_000, 48_000)


@dataclass(frozen=True)
class SpeechEvent:
    """`kind` is "start" or "end"; `at` is the time in seconds from the first frame fed."""

    kind: str
    at: float


def frames(pcm: bytes, rate: int = SAMPLE_RATE, frame_ms: int = FRAME_MS) -> Iterator[bytes]:
    """Cuts 16-bit mono PCM into whole frames of `frame_ms` (the tail is padded with silence)."""
    size = int(rate * frame_ms / 1000) * 2
    for offset in range(0, len(pcm), size):
        chunk = pcm[offset : offset + size]
        if len(chunk) < size:
            chunk += b"\x00" * (size - len(chunk))
        yield chunk


def _loud_enough(frame: bytes) -> bool:
    """webrtcvad alone takes steady hiss for speech while it adapts: a frame must be audible."""
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float32)
    return bool(np.sqrt(np.mean(samples * samples)) >= MIN_SPEECH_RMS)


class EndOfSpeech:
    """Follows one turn: waits for speech, then for `end_silence_ms` of silence after it.

    Feed frames of `frame_ms` with `feed()`; it returns a `SpeechEvent` when speech starts
    or ends, else None. `pre_roll()` gives the frames heard just before the start.
    """

    def __init__(
        self,
        rate: int = SAMPLE_RATE,
        end_silence_ms: int = 450,
        aggressiveness: int = VAD_AGGRESSIVENESS,
        frame_ms: int = FRAME_MS,
        start_ms: int = START_SPEECH_MS,
        pre_roll_ms: int = PRE_ROLL_MS,
    ) -> None:
        if rate not in VAD_RATES:
            raise ValueError(f"webrtcvad needs one of {VAD_RATES} Hz, not {rate}")
        self.rate = rate
        self.frame_ms = frame_ms
        self._vad = webrtcvad.Vad(aggressiveness)
        self._start_frames = max(1, start_ms // frame_ms)
        self._end_frames = max(1, end_silence_ms // frame_ms)
        self._recent: deque[tuple[bytes, bool]] = deque(
            maxlen=max(self._start_frames, pre_roll_ms // frame_ms)
        )
        self.reset()

    def reset(self) -> None:
        """Forgets the current turn."""
        self._recent.clear()
        self._count = 0
        self._silent_run = 0
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self._last_voiced_end = 0.0

    @property
    def in_speech(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def pause_ms(self) -> int:
        """How long the person has been silent in the current turn, in milliseconds (still
        counted once the end of speech is found: the turn ended on this silence)."""
        return self._silent_run * self.frame_ms if self.started_at is not None else 0

    def pre_roll(self) -> list[bytes]:
        """Frames kept from just before the start of speech."""
        return [frame for frame, _ in self._recent]

    def feed(self, frame: bytes) -> SpeechEvent | None:
        """Takes one frame; returns a start or end event when one happens on this frame."""
        # webrtcvad adapts to the noise it hears: it must see every frame, quiet ones too.
        speech = self._vad.is_speech(frame, self.rate)
        voiced = speech and _loud_enough(frame)
        self._count += 1
        now = self._count * self.frame_ms / 1000
        if self.started_at is None:
            self._recent.append((frame, voiced))
            window = list(self._recent)[-self._start_frames :]
            if len(window) == self._start_frames and all(flag for _, flag in window):
                self.started_at = now - self._start_frames * self.frame_ms / 1000
                self._last_voiced_end = now
                return SpeechEvent("start", self.started_at)
            return None
        if self.ended_at is not None:
            return None
        if voiced:
            self._silent_run = 0
            self._last_voiced_end = now
            return None
        self._silent_run += 1
        if self._silent_run >= self._end_frames:
            self.ended_at = self._last_voiced_end
            return SpeechEvent("end", self.ended_at)
        return None


def find_speech(
    audio: Audio, end_silence_ms: int = 450, aggressiveness: int = VAD_AGGRESSIVENESS
) -> tuple[float, float] | None:
    """The (start, end) in seconds of the first spoken stretch in `audio`, or None."""
    if audio.rate not in VAD_RATES:
        audio = audio.resampled(SAMPLE_RATE)
    detector = EndOfSpeech(audio.rate, end_silence_ms, aggressiveness)
    for frame in frames(audio.pcm(), audio.rate):
        detector.feed(frame)
        if detector.ended_at is not None:
            break
    if detector.started_at is None:
        return None
    end = detector.ended_at if detector.ended_at is not None else detector._last_voiced_end
    return detector.started_at, end


__all__ = ["EndOfSpeech", "SpeechEvent", "find_speech", "frames"]
