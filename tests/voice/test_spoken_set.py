"""The French spoken test set (tests/support/spoken_set.py): what it holds, how noise is mixed,
and the kiosk's answers mapped on it by Whisper, never to a wrong button.

bench/voice.py measures the whole set (every voice, speed and noise); this test keeps the
Pico voice at the calm pace, clean, so that it runs in `make test`.
"""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.listen import hear
from tests.support import spoken_set
from tests.support.spoken_set import audio_for, domain_button_sets, noisy, of_kind, utterances
from voice.asr import Grammar
from voice.audio import silence
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.vad import frames


def test_the_set_holds_what_the_issue_asks() -> None:
    kinds = {kind: len(of_kind(kind)) for kind in ("yes_no", "button", "command", "question")}
    assert kinds["question"] >= 60
    assert kinds["yes_no"] >= 10 and kinds["command"] >= 5
    titles = {title for buttons in domain_button_sets() for title, _ in buttons}
    assert {u.text for u in of_kind("button")} == titles  # every button title of domain.yml
    spoken = {u.text for u in of_kind("hours", "amount")}
    assert {"trente-cinq heures", "mille deux cents euros"} <= spoken
    assert "cent cinquante et une heures et demie" in spoken
    intents = {u.expected for u in of_kind("question")}
    assert len(intents) >= 30
    assert len({u.id for u in utterances()}) == len(utterances())
    assert set(spoken_set.voices()) >= {"pico", "mbrola-fr4", "espeak"}
    assert len(spoken_set.SPEEDS) == 2 and spoken_set.SNRS == (10, 20)


@pytest.mark.parametrize("noise", spoken_set.NOISES)
@pytest.mark.parametrize("snr", spoken_set.SNRS)
def test_noise_is_mixed_at_the_signal_to_noise_ratio_asked(noise: str, snr: int) -> None:
    item = of_kind("question")[0]
    clean = audio_for(item, "pico", "calme")
    mixed = noisy(clean, noise, snr, "test")
    added = mixed.samples.astype(np.float64) - clean.samples
    speech = spoken_set._speech_rms(clean.samples)
    measured = 20 * np.log10(speech / np.sqrt(np.mean(added**2)))
    assert abs(measured - snr) < 0.5
    assert np.array_equal(noisy(clean, noise, snr, "test").samples, mixed.samples)  # same seed


def test_short_answers_by_pico_are_mapped_and_never_to_a_wrong_button(whisper) -> None:
    config = VoiceConfig.from_settings()
    right, asked_again, wrong = [], [], []
    for item in of_kind("yes_no", "button", "command"):
        grammar = Grammar.from_buttons(item.button_dicts())
        audio = audio_for(item, "pico", "calme") + silence(config.end_silence_ms + 200, SAMPLE_RATE)
        heard = hear(frames(audio.pcm()), whisper, grammar, config, timeout=1e9)
        payload = grammar.payload_for(heard.text) if heard.text else None
        if payload == item.expected:
            right.append(item.text)
        elif payload is None:
            asked_again.append((item.text, heard.text))
        else:
            wrong.append((item.text, heard.text, payload))
    assert wrong == [], wrong  # never a guess
    # Measured 81/85 (the four others asked again); 79/85 before the silence after the
    # turn, when one-word commands and "Retraite" were asked again.
    assert len(right) >= 0.94 * (len(right) + len(asked_again)), asked_again
