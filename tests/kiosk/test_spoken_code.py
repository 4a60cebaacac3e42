"""The kiosk says the conversation's short code, spelled, when the person asks for someone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from kiosk.assistant import Assistant, Reply
from kiosk.kiosk import Kiosk, load_messages
from kiosk.listen import TypedEars
from kiosk.speak import WavMouth
from kiosk.steps import plan_steps, speakable
from passerelle.domain import load_domain
from passerelle.names import KIOSK_INPUT, SOCKETIO_INPUT
from passerelle.shortcode import CODE_SLOT, spoken
from voice.config import VoiceConfig

HANDOFF = "utter_human_handoff"
CODE = "K7M-4QR"
SPELLED = "ka, sept, emme, puis quatre, ku, erre"  # digits in words, as the voice says them


def response(channel: str) -> dict:
    """The handoff as Rasa 3.6 fills it from the tracker's slots, on this channel."""
    nlg = TemplatedNaturalLanguageGenerator(load_domain()["responses"])
    found = nlg.generate_from_slots(HANDOFF, {CODE_SLOT: CODE}, channel)
    assert found is not None
    return found


def test_the_kiosk_variant_names_the_code_from_the_slot() -> None:
    text = response(KIOSK_INPUT)["text"]
    assert CODE in text and "{" not in text
    assert "accueil" in text


def test_the_kiosk_spells_the_code_and_says_no_address(tmp_path: Path) -> None:
    kiosk = Kiosk(
        VoiceConfig.from_settings(),
        TypedEars([]),
        WavMouth(tmp_path),
        Assistant("http://127.0.0.1:9", 1.0, "x"),
    )
    turn = kiosk._turn_of([Reply(response(KIOSK_INPUT)["text"])])
    said = " ".join([*turn.paragraphs, turn.closing])
    assert SPELLED in said, said
    assert CODE not in said and "http" not in said and "www" not in said


@pytest.mark.parametrize("code", ["WWW-WWW", "88X-QXY", CODE])
def test_the_code_is_said_before_the_kiosk_asks_to_go_on(code: str, tmp_path: Path) -> None:
    """The number to give at the desk comes in the first step, even the longest to spell
    ("double vé" six times): the person hears it without having to answer "la suite"."""
    config = VoiceConfig.from_settings()
    mouth = WavMouth(tmp_path)
    kiosk = Kiosk(config, TypedEars([]), mouth, Assistant("http://127.0.0.1:9", 1.0, "x"))
    nlg = TemplatedNaturalLanguageGenerator(load_domain()["responses"])
    text = nlg.generate_from_slots(HANDOFF, {CODE_SLOT: code}, KIOSK_INPUT)["text"]
    turn = kiosk._turn_of([Reply(text)])
    steps = plan_steps(
        turn.paragraphs,
        turn.closing,
        lambda said: mouth.seconds(said, config.tts_rate),
        load_messages()["more"],
    )
    assert "accueil" in steps[0].body
    assert speakable(spoken(code), date.today()).rstrip(".") in steps[0].body, steps[0].body


def test_the_code_message_alone_is_never_spoken(tmp_path: Path) -> None:
    """At session start the assistant sends the code as data (for the widget): not said."""
    kiosk = Kiosk(
        VoiceConfig.from_settings(),
        TypedEars([]),
        WavMouth(tmp_path),
        Assistant("http://127.0.0.1:9", 1.0, "x"),
    )
    greeting = Reply("Bonjour ! Que voulez-vous faire ?")
    turn = kiosk._turn_of([Reply("", [], {CODE_SLOT: CODE}), greeting])
    said = " ".join([*turn.paragraphs, turn.closing])
    assert "ka, 7" not in said and CODE not in said


def test_the_written_handoff_does_not_depend_on_the_code() -> None:
    assert "{" not in response(SOCKETIO_INPUT)["text"]
