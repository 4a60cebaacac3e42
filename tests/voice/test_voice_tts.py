"""French speech from espeak-ng through pyttsx3: real audio, real engine."""

from __future__ import annotations

import threading

import numpy as np

from voice.audio import read_wav
from voice.tts import synthesize, synthesize_wav
from voice.vad import find_speech

SENTENCES = [
    "Bonjour. Je suis une machine.",
    "Ne dites jamais votre mot de passe à voix haute.",
    "Appelez le 3949.",
]


def test_french_sentence_gives_real_speech() -> None:
    audio = read_wav(synthesize_wav(SENTENCES[1]))
    assert audio.rate == 22_050
    assert 1.5 < audio.duration < 8.0
    assert audio.rms > 500, "the WAV is silent"
    assert np.abs(audio.samples).max() > 5000
    span = find_speech(audio)
    assert span is not None, "webrtcvad hears no speech in espeak-ng's output"


def test_slower_rate_gives_longer_speech() -> None:
    fast = synthesize(SENTENCES[0], rate=180)
    slow = synthesize(SENTENCES[0], rate=100)
    assert slow.duration > fast.duration * 1.4


def test_text_is_normalised_before_speaking() -> None:
    # "3949" read in pairs is shorter than "trois mille neuf cent quarante-neuf".
    pairs = synthesize("Appelez le 3949.")
    thousands = synthesize("Appelez le trois mille neuf cent quarante-neuf.", normalize=False)
    same = synthesize("Appelez le trente-neuf quarante-neuf.", normalize=False)
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
