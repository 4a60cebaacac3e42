"""French speech from every engine (Pico, MBROLA, espeak-ng): real audio, real engines."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest

from voice.audio import read_wav
from voice.config import GAIN_STEP, TTS_RATE_STEP, VoiceConfig
from voice.tts import (
    PICO_MISSING,
    EspeakVoice,
    MbrolaVoice,
    PicoVoice,
    SpeechUnavailableError,
    Voice,
    choose_voice,
    default_voice,
    synthesize,
    synthesize_wav,
)
from voice.vad import find_speech

ENGINES = {
    "pico": PicoVoice,
    "espeak": EspeakVoice,
    "mbrola-fr4": lambda: MbrolaVoice("mb-fr4"),
    "mbrola-fr1": lambda: MbrolaVoice("mb-fr1"),
}

SENTENCES = [
    "Bonjour. Je suis une machine.",
    "Ne dites jamais votre mot de passe à voix haute.",
    "Appelez le 3949.",
]


def test_the_default_voice_is_pico() -> None:
    # scripts/system-deps.sh installs it (Debian non-free libttspico-utils).
    assert default_voice().name == "pico"
    assert VoiceConfig.from_settings().tts_engine == "auto"


def test_french_sentence_gives_real_speech() -> None:
    audio = read_wav(synthesize_wav(SENTENCES[1]))
    assert audio.rate == 16_000  # Pico's rate
    assert 1.5 < audio.duration < 8.0
    assert audio.rms > 500, "the WAV is silent"
    assert np.abs(audio.samples).max() > 5000
    span = find_speech(audio)
    assert span is not None, "webrtcvad hears no speech in espeak-ng's output"


def test_slower_rate_gives_longer_speech() -> None:
    fast = synthesize(SENTENCES[0], rate=180)
    slow = synthesize(SENTENCES[0], rate=100)
    assert slow.duration > fast.duration * 1.3


@pytest.mark.parametrize("name", list(ENGINES))
def test_every_engine_speaks_slower_and_louder(name: str) -> None:
    """ "plus lentement" (one rate step down) and "plus fort" (one gain step) with each engine."""
    engine: Voice = ENGINES[name]()
    config = VoiceConfig.from_settings()
    normal = synthesize(SENTENCES[1], rate=config.tts_rate, engine=engine)
    slower = synthesize(SENTENCES[1], rate=config.tts_rate - TTS_RATE_STEP, engine=engine)
    assert normal.rms > 500 and find_speech(normal) is not None
    assert slower.duration > normal.duration * 1.08, (normal.duration, slower.duration)
    louder = normal.scaled(GAIN_STEP)  # what the kiosk's mouth does with its gain
    assert louder.rms > normal.rms * 1.3


def test_missing_pico_falls_back_to_espeak_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pico2wave there
    with caplog.at_level(logging.WARNING, logger="voice.start"):
        voice = choose_voice("auto")
    assert isinstance(voice, EspeakVoice)
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "Pico" in warning and "espeak-ng" in warning
    assert PICO_MISSING in warning and "make system-deps" in PICO_MISSING
    assert synthesize("Bonjour.", engine=voice).rms > 500  # espeak-ng speaks
    with pytest.raises(SpeechUnavailableError, match="libttspico-utils"):
        choose_voice("pico")  # asked for by name: refused, with the fix


def test_text_is_normalised_before_speaking() -> None:
    # "3949" read in pairs is shorter than "trois mille neuf cent quarante-neuf" (espeak-ng:
    # its durations follow the words closely).
    espeak = EspeakVoice()
    pairs = synthesize("Appelez le 3949.", engine=espeak)
    thousands = synthesize(
        "Appelez le trois mille neuf cent quarante-neuf.", normalize=False, engine=espeak
    )
    same = synthesize("Appelez le trente-neuf quarante-neuf.", normalize=False, engine=espeak)
    assert abs(pairs.duration - same.duration) < 0.05
    assert thousands.duration > pairs.duration + 0.3


def test_emoji_only_gives_short_silence() -> None:
    audio = read_wav(synthesize_wav("👍✅"))
    assert audio.duration < 0.5
    assert audio.rms == 0


THREAD_SENTENCES = [
    "Oui.",
    "Bonjour. Je suis une machine.",
    "Ne dites jamais votre mot de passe à voix haute. Même pas à un conseiller.",
]


def test_synthesize_wav_is_thread_safe() -> None:
    # Lengths told apart by far more than espeak-ng's small run-to-run differences.
    expected = [synthesize(text).duration for text in THREAD_SENTENCES]
    assert expected[0] + 1 < expected[1] and expected[1] + 1 < expected[2]
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def speak(index: int) -> None:
        try:
            results[index] = synthesize_wav(THREAD_SENTENCES[index % len(THREAD_SENTENCES)])
        except BaseException as error:  # collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=speak, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(results) == list(range(6))
    for index, wav in results.items():
        audio = read_wav(wav)
        assert audio.rms > 500, f"thread {index} produced silence"
        # Each thread got its own sentence, whole: not cut, not mixed with another.
        assert abs(audio.duration - expected[index % 3]) < 0.2, (index, audio.duration)
