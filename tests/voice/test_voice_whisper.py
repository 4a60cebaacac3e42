"""Whisper base on the kiosk: engine choice, silence and noise, hallucinations, buttons.

Real engine (faster-whisper, int8, CPU) and real voices (SVOX Pico): no mock.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from voice.asr import Grammar, load_engine, to_message, transcribe
from voice.audio import Audio, silence
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.models import ModelError
from voice.tts import PicoVoice, synthesize
from voice.whisper import INITIAL_PROMPT, confidence, is_hallucination, prompt_for

YES_NO = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]


def pico(text: str) -> Audio:
    return synthesize(text, engine=PicoVoice())


def test_auto_takes_whisper_without_a_french_vosk_model_and_says_so(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    config = VoiceConfig.from_settings().with_changes(
        asr_engine="auto", model_path=tmp_path / "no-vosk-model"
    )
    with caplog.at_level(logging.INFO, logger="voice.start"):
        engine = load_engine(config)
    assert engine.name == "whisper"
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "voice.start")
    assert "Speech recognition: whisper" in logged and "Whisper base" in logged
    assert load_engine(config) is engine  # loaded (and warmed up) once per process


def test_vosk_asked_for_without_its_model_says_how_to_get_it(tmp_path) -> None:
    config = VoiceConfig.from_settings().with_changes(
        asr_engine="vosk", model_path=tmp_path / "no-vosk-model"
    )
    with pytest.raises(ModelError, match="make voice-model"):
        load_engine(config)


def test_silence_and_noise_are_silence(whisper) -> None:
    rng = np.random.default_rng(3)
    samples = [
        silence(2000, SAMPLE_RATE),
        Audio(rng.normal(0, 800, 2 * SAMPLE_RATE).astype(np.int16), SAMPLE_RATE),
        Audio(rng.normal(0, 4000, 2 * SAMPLE_RATE).astype(np.int16), SAMPLE_RATE),
    ]
    for audio in samples:
        heard = transcribe(whisper, audio)
        assert heard.text == "" and heard.silent


@pytest.mark.parametrize(
    "line",
    [
        "Sous-titres réalisés par la communauté d'Amara.org",
        "Merci d'avoir regardé cette vidéo !",
        "Sous-titrage ST' 501",
        "[Musique]",
        "(toux)",
        "*tousse*",
        "♪♪",
        "",
        INITIAL_PROMPT,
    ],
)
def test_known_hallucinations_are_recognised(line: str) -> None:
    assert is_hallucination(line)


@pytest.mark.parametrize(
    "line",
    ["Merci.", "Oui.", "J'ai oublié mon identifiant.", "Mes courriers.", "Avec FranceConnect."],
)
def test_real_answers_are_not_taken_for_hallucinations(line: str) -> None:
    assert not is_hallucination(line)


def test_the_prompt_gives_the_domain_words_or_the_expected_answers() -> None:
    for word in ("identifiant", "actualisation", "France Travail", "Pôle emploi", "FranceConnect"):
        assert word in prompt_for(None)
    grammar = Grammar.from_buttons(
        [{"title": "Mes courriers", "payload": "/a"}, {"title": "M'actualiser", "payload": "/b"}]
    )
    prompt = prompt_for(grammar)
    assert "Mes courriers." in prompt and "M'actualiser." in prompt and "Plus lentement." in prompt


def test_confidence_is_full_when_sure_and_drops_below_the_read_back_threshold() -> None:
    config = VoiceConfig.from_settings()
    assert confidence(-0.2) == 1.0
    assert confidence(-0.5) > config.confirm_below > confidence(-0.7)


def test_whisper_snaps_answers_to_the_buttons(whisper) -> None:
    grammar = Grammar.from_buttons(YES_NO, whisper)
    for said, payload in [("oui", "/affirm"), ("bien sûr", "/affirm"), ("non merci", "/deny")]:
        heard = transcribe(whisper, pico(said), grammar)
        assert grammar.payload_for(heard.text) == payload, (said, heard.text)
        assert heard.confidence > 0.5


def test_whisper_passes_free_speech_through_when_buttons_are_shown(whisper) -> None:
    grammar = Grammar.from_buttons(YES_NO, whisper)
    heard = transcribe(whisper, pico("J'ai travaillé trente-cinq heures."), grammar)
    assert to_message(heard.text).lower().startswith("j'ai travaillé 35 heures")
