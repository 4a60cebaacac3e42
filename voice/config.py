"""Configuration of the voice kiosk: one typed, frozen object built from `passerelle.config`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from passerelle.config import Settings, settings

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # Hz, what Vosk and webrtcvad expect (mono, 16-bit).
FRAME_MS = 30  # webrtcvad accepts 10, 20 or 30 ms frames.
TTS_VOICE = "roa/fr"  # espeak-ng French (France) voice, as pyttsx3 names it.
TTS_RATE_MIN = 80
TTS_RATE_STEP = 25  # "plus lentement" slows down by this many words per minute.
GAIN_STEP = 1.5  # "plus fort" multiplies the playback gain by this.
GAIN_MAX = 4.0
VAD_AGGRESSIVENESS = 2  # 0 (keeps most noise) to 3 (strictest).
MIN_SPEECH_RMS = 120.0  # int16 RMS under which a frame is never speech (hiss, far noise)
START_SPEECH_MS = 90  # voiced audio needed before a turn is taken as started.
PRE_ROLL_MS = 300  # audio kept from before the start, so the first syllable is not lost.
MAX_TURN_SECONDS = 20.0  # a turn longer than this is cut and recognised.
CONFIRM_BELOW = 0.9  # numbers recognised with a lower confidence are read back.
REQUEST_TIMEOUT = 20.0  # seconds for one turn of the assistant (first turn loads the model).


@dataclass(frozen=True)
class VoiceConfig:
    """Everything the kiosk needs. `from_settings()` builds it from the environment."""

    model_path: Path
    model_url: str
    model_sha256: str
    rasa_url: str
    tts_voice: str = TTS_VOICE
    tts_rate: int = 140
    tts_volume: float = 1.0
    silence_timeout: float = 8.0
    end_silence_ms: int = 450
    idle_reset_seconds: int = 60
    vad_aggressiveness: int = VAD_AGGRESSIVENESS
    sample_rate: int = SAMPLE_RATE
    confirm_below: float = CONFIRM_BELOW
    request_timeout: float = REQUEST_TIMEOUT

    @classmethod
    def from_settings(cls, source: Settings | None = None) -> VoiceConfig:
        """Builds the configuration from Passerelle's settings (the environment)."""
        source = source or settings()
        return cls(
            model_path=Path(source.voice_model_path),
            model_url=source.voice_model_url,
            model_sha256=source.voice_model_sha256,
            rasa_url=source.rasa_url,
            tts_rate=max(TTS_RATE_MIN, source.voice_tts_rate),
            tts_volume=min(1.0, max(0.0, source.voice_tts_volume)),
            silence_timeout=max(1.0, source.voice_silence_timeout),
            end_silence_ms=max(FRAME_MS, source.voice_end_silence_ms),
            idle_reset_seconds=max(1, source.voice_idle_reset_seconds),
        )

    def with_changes(self, **changes: object) -> VoiceConfig:
        """A copy with some fields changed (the CLI's options)."""
        return replace(self, **changes)


__all__ = ["FRAME_MS", "SAMPLE_RATE", "VoiceConfig"]
