"""Configuration of the voice stages and the kiosk: one typed, frozen object built from
`passerelle.config` (which holds every default read from the environment)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from passerelle.config import Settings, settings

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # Hz, what Vosk, Whisper and webrtcvad expect (mono, 16-bit).
FRAME_MS = 30  # webrtcvad accepts 10, 20 or 30 ms frames.
TTS_VOICE = "roa/fr"  # espeak-ng French (France) voice, as pyttsx3 names it.
TTS_RATE_MIN = 80  # words per minute, the slowest "plus lentement" goes
TTS_RATE_STEP = 25  # "plus lentement" slows down by this many words per minute.
GAIN_STEP = 1.5  # "plus fort" multiplies the playback gain by this.
GAIN_MAX = 4.0
VAD_AGGRESSIVENESS = 2  # 0 (keeps most noise) to 3 (strictest).
MIN_SPEECH_RMS = 120.0  # int16 RMS under which a frame is never speech (hiss, far noise)
# The room's noise, followed as it goes (`voice.vad.NoiseFloor`): a frame is speech only
# this far above a low percentile of the last frames' energies.
NOISE_WINDOW_MS = 3000
NOISE_PERCENTILE = 20
NOISE_LOW_PERCENTILE = 5
SPEECH_OVER_NOISE_DB = 5.0
NOISE_SPREAD_FACTOR = 0.6
SPEECH_OVER_NOISE_MAX_DB = 12.0
NOISE_LEARN_MS = 300  # background heard before its spread is trusted (the maximum till then)
START_SPEECH_MS = 90  # voiced audio needed before a turn is taken as started.
PRE_ROLL_MS = 300  # audio kept from before the start, so the first syllable is not lost.
MAX_TURN_SECONDS = 20.0  # a turn longer than this is cut and recognised.
CONFIRM_BELOW = 0.9  # numbers recognised with a lower confidence are read back.
WHISPER_BEAM_MAX = 2  # a wider beam costs latency for little gain on short answers.
REQUEST_TIMEOUT = 20.0  # seconds for one turn of the assistant (first turn loads the model).


@dataclass(frozen=True)
class VoiceConfig:
    """Everything the kiosk needs. `from_settings()` builds it from the environment."""

    model_path: Path
    model_url: str
    model_sha256: str
    rasa_url: str
    # The kiosk's key for its channel (`KIOSK_TOKEN`).
    kiosk_token: str
    tts_rate: int
    tts_volume: float
    silence_timeout: float
    end_silence_ms: int
    idle_reset_seconds: int
    asr_engine: str = "auto"  # "auto", "vosk" or "whisper" (VOICE_ASR)
    whisper_model_path: Path = Path("voice_models/whisper-base")
    whisper_threads: int = 2
    whisper_beam: int = 1
    tts_engine: str = "auto"  # "auto", "pico", "espeak" or "mbrola" (VOICE_TTS)
    mbrola_voice: str = "mb-fr4"
    tts_voice: str = TTS_VOICE
    vad_aggressiveness: int = VAD_AGGRESSIVENESS
    sample_rate: int = SAMPLE_RATE
    confirm_below: float = CONFIRM_BELOW
    request_timeout: float = REQUEST_TIMEOUT

    @classmethod
    def from_settings(cls, source: Settings | None = None) -> VoiceConfig:
        """Builds the configuration from Passerelle's settings (the environment)."""
        source = source or settings()
        voice = source.voice
        return cls(
            asr_engine=voice.asr,
            whisper_model_path=voice.whisper_model_path,
            whisper_threads=max(1, voice.whisper_threads),
            whisper_beam=min(WHISPER_BEAM_MAX, max(1, voice.whisper_beam)),
            tts_engine=voice.tts,
            mbrola_voice=voice.mbrola_voice,
            model_path=voice.model_path,
            model_url=voice.model_url,
            model_sha256=voice.model_sha256,
            rasa_url=source.rasa.url,
            kiosk_token=source.kiosk_token,
            tts_rate=max(TTS_RATE_MIN, voice.tts_rate),
            tts_volume=min(1.0, max(0.0, voice.tts_volume)),
            silence_timeout=max(1.0, voice.silence_timeout),
            end_silence_ms=max(FRAME_MS, voice.end_silence_ms),
            idle_reset_seconds=max(1, voice.idle_reset_seconds),
        )

    def with_changes(self, **changes: object) -> VoiceConfig:
        """A copy with some fields changed (the CLI's options)."""
        return replace(self, **changes)


__all__ = ["FRAME_MS", "SAMPLE_RATE", "VoiceConfig"]
