"""End of speech: webrtcvad decides, frame by frame, when a person starts and stops talking."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import webrtcvad

from voice.audio import Audio
from voice.config import (
    FRAME_MS,
    MIN_SPEECH_RMS,
    NOISE_LEARN_MS,
    NOISE_LOW_PERCENTILE,
    NOISE_PERCENTILE,
    NOISE_SPREAD_FACTOR,
    NOISE_WINDOW_MS,
    PRE_ROLL_MS,
    SAMPLE_RATE,
    SPEECH_OVER_NOISE_DB,
    SPEECH_OVER_NOISE_MAX_DB,
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


FIXED_FLOOR_DB = 20 * math.log10(MIN_SPEECH_RMS)


def level_db(frame: bytes) -> float:
    """A frame's energy in decibels (int16 scale: 0 for digital silence)."""
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float32)
    return float(10 * np.log10(np.mean(samples * samples) + 1.0))


class NoiseFloor:
    """The level of the room's background, followed frame by frame.

    A kiosk in an agency hears noise all the time: chatter, a ventilation, a street. A
    fixed level (`MIN_SPEECH_RMS`) under which nothing is speech then never sees the end
    of a turn (the noise stays above it), and webrtcvad takes chatter for speech, as it is.
    So the background's level is the `NOISE_PERCENTILE`th percentile of the energies of
    the last `NOISE_WINDOW_MS` of frames, the speech included: people pause between
    syllables and words, so even in a long turn a low percentile stays on the background.
    A frame is loud enough for speech only if it stands above it by `SPEECH_OVER_NOISE_DB`
    plus `NOISE_SPREAD_FACTOR` times the background's spread (its 20th minus its 5th
    percentile, learnt out of turns: chatter of four voices spreads over 10 dB and more,
    and lies within 5 dB above its median 99 % of the time; hiss spreads under 1 dB),
    `SPEECH_OVER_NOISE_MAX_DB` at most, and that much until `NOISE_LEARN_MS` of background
    were heard; and above `MIN_SPEECH_RMS` (a quiet room: hiss). Speech at 10 dB SNR is
    mostly 4 to 14 dB above the noise, frame by frame.

    A steady noise from the first frame is the floor at once. A noise that rises suddenly
    later takes most of the window (about 2 s) to become the floor: a turn it starts ends
    then, and Whisper's filter takes what it writes of it for silence.
    """

    def __init__(
        self,
        frame_ms: int = FRAME_MS,
        window_ms: int = NOISE_WINDOW_MS,
        over_db: float = SPEECH_OVER_NOISE_DB,
        spread_factor: float = NOISE_SPREAD_FACTOR,
    ) -> None:
        self._levels: deque[float] = deque(maxlen=max(1, window_ms // frame_ms))
        # The background's spread is learnt out of turns only: speech would widen it.
        self._outside: deque[float] = deque(maxlen=max(1, window_ms // frame_ms))
        self.over_db = over_db
        self.spread_factor = spread_factor
        self._learn_frames = max(1, NOISE_LEARN_MS // frame_ms)
        self._threshold_db: float | None = None
        self.last_level_db = -math.inf  # the level of the last frame judged

    @property
    def floor_db(self) -> float | None:
        """The background's level in decibels, None before any frame."""
        if not self._levels:
            return None
        return float(np.percentile(np.fromiter(self._levels, float), NOISE_PERCENTILE))

    @property
    def threshold_db(self) -> float:
        """The level a frame must reach to be speech."""
        if self._threshold_db is None:
            fixed = FIXED_FLOOR_DB
            if not self._levels:
                return fixed
            floor = float(np.percentile(np.fromiter(self._levels, float), NOISE_PERCENTILE))
            over = SPEECH_OVER_NOISE_MAX_DB  # until the background's spread is known
            if len(self._outside) >= self._learn_frames:
                low, high = np.percentile(
                    np.fromiter(self._outside, float), [NOISE_LOW_PERCENTILE, NOISE_PERCENTILE]
                )
                spread = self.spread_factor * float(high - low)
                over = min(SPEECH_OVER_NOISE_MAX_DB, self.over_db + spread)
            self._threshold_db = max(fixed, float(floor) + over)
        return self._threshold_db

    def loud_enough(self, frame: bytes, in_turn: bool = False) -> bool:
        """Whether `frame` stands out of the background (judged before it joins it)."""
        level = self.last_level_db = level_db(frame)
        loud = level >= self.threshold_db
        self._levels.append(level)
        if not in_turn:
            self._outside.append(level)
        self._threshold_db = None
        return loud


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
        noise: NoiseFloor | None = None,
    ) -> None:
        if rate not in VAD_RATES:
            raise ValueError(f"webrtcvad needs one of {VAD_RATES} Hz, not {rate}")
        self.rate = rate
        self.frame_ms = frame_ms
        self._vad = webrtcvad.Vad(aggressiveness)
        # Kept across turns when given (the microphone's): the room's noise outlives a turn.
        self.noise = noise if noise is not None else NoiseFloor(frame_ms)
        self._start_frames = max(1, start_ms // frame_ms)
        self._end_frames = max(1, end_silence_ms // frame_ms)
        self._pre_roll_frames = max(self._start_frames, pre_roll_ms // frame_ms)
        # While the background is learnt (`NOISE_LEARN_MS`), speech cannot be told from it:
        # when something loud is heard then, the turn keeps everything since the first
        # frame (`pre_roll`).
        self._learning_frames = (NOISE_LEARN_MS + start_ms) // frame_ms
        self._recent: deque[tuple[bytes, bool]] = deque(
            maxlen=self._pre_roll_frames + self._learning_frames
        )
        self.reset()

    def reset(self) -> None:
        """Forgets the current turn."""
        self._recent.clear()
        self._count = 0
        self._silent_run = 0
        self._heard_while_learning = False
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
        """Frames kept from just before the start of speech: `pre_roll_ms` of them, or all
        of them since the first frame when something loud was heard while the background
        was being learnt (speech from the very first frame, as in a WAV file, is not lost)."""
        kept = [frame for frame, _ in self._recent]
        if self._heard_while_learning and self._count <= len(kept):
            return kept
        return kept[-self._pre_roll_frames :]

    def feed(self, frame: bytes) -> SpeechEvent | None:
        """Takes one frame; returns a start or end event when one happens on this frame."""
        # webrtcvad adapts to the noise it hears: it must see every frame, quiet ones too.
        speech = self._vad.is_speech(frame, self.rate)
        # Every frame joins the background's estimate, in a turn or not.
        loud = self.noise.loud_enough(frame, in_turn=self.in_speech)
        voiced = speech and loud
        self._count += 1
        if self._count <= self._learning_frames and speech:
            self._heard_while_learning |= self.noise.last_level_db >= FIXED_FLOOR_DB
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


__all__ = ["EndOfSpeech", "NoiseFloor", "SpeechEvent", "find_speech", "frames", "level_db"]
