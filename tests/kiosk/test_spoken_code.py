"""The kiosk says the conversation's short code, spelled, when the person asks for someone."""

from __future__ import annotations

from pathlib import Path

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from kiosk.assistant import Assistant, Reply
from kiosk.kiosk import Kiosk
from kiosk.listen import TypedEars
from kiosk.speak import WavMouth
from passerelle.domain import load_domain
from passerelle.names import KIOSK_INPUT, SOCKETIO_INPUT
from passerelle.shortcode import CODE_SLOT
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
