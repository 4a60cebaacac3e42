"""The kiosk against the running assistant, in its no-hardware modes, speech written as WAVs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.assistant import Assistant
from kiosk.kiosk import Kiosk, load_messages
from kiosk.listen import TypedEars, WavEars
from kiosk.speak import TRANSCRIPT_NAME, WavMouth
from passerelle.names import KIOSK_SENDER_PREFIX as SENDER_PREFIX
from voice.audio import read_wav
from voice.config import VoiceConfig
from voice.tts import synthesize

pytestmark = pytest.mark.stack
MESSAGES = load_messages()


def spoken(folder: Path) -> list[tuple[str, str]]:
    rows = (folder / TRANSCRIPT_NAME).read_text(encoding="utf-8").splitlines()
    return [(row.split("\t")[0], row.split("\t")[3]) for row in rows]


def user_texts(tracker: dict) -> list[str]:
    return [event.get("text") or "" for event in tracker["events"] if event["event"] == "user"]


def kiosk_for(stack, ears, out: Path, model: object | None = None) -> Kiosk:
    config = VoiceConfig.from_settings().with_changes(rasa_url=stack.rasa_url)
    return Kiosk(
        config, ears, WavMouth(out), Assistant(stack.rasa_url, 60.0, stack.kiosk_token), model
    )


def test_typed_conversation_spoken_to_wavs(stack, tmp_path: Path) -> None:
    kiosk = kiosk_for(stack, TypedEars(["bonjour", "mot de passe oublié", "au revoir"]), tmp_path)
    assert kiosk.run() == 0
    rows = spoken(tmp_path)
    texts = [text for _, text in rows]
    assert "Je suis une machine" in texts[0]
    # The assistant's greeting, its buttons announced; the button chosen by voice.
    assert "Que voulez-vous faire ?" in texts[1] and "Dites " in texts[1]
    assert "mot de passe" in texts[1]
    # The kiosk's spoken variant: the site by its name, never its address, in short steps.
    assert "sur le site France Travail" in texts[2] and "point F R" not in texts[2]
    assert texts[2].endswith(MESSAGES["more"])
    assert "«" not in " ".join(texts)
    assert "Au revoir" in texts[-1]
    for name, _ in rows:
        audio = read_wav(tmp_path / name)
        assert audio.rate == 22_050 and audio.rms > 300
    sender = kiosk.senders[0]
    assert sender.startswith(SENDER_PREFIX)
    tracker = stack.tracker(sender)
    intents = [e["parse_data"]["intent"]["name"] for e in tracker["events"] if e["event"] == "user"]
    assert intents[1] == "forgot_password"  # sent as the button's payload
    assert user_texts(tracker)[-1] == "au revoir"


def test_wav_turn_through_vosk_to_the_assistant(
    stack, tmp_path: Path, korean_model: object, korean
) -> None:
    turns = tmp_path / "in"
    turns.mkdir()
    (turns / "1.wav").write_bytes(korean("안녕하세요").to_wav())
    out = tmp_path / "out"
    kiosk = kiosk_for(stack, WavEars(turns, korean_model, VoiceConfig.from_settings()), out)
    kiosk.model = korean_model
    assert kiosk.run() == 0
    rows = spoken(out)
    assert len(rows) == 2  # greeting, then the assistant's answer to the recognised turn
    assert read_wav(out / rows[1][0]).rms > 300
    tracker = stack.tracker(kiosk.senders[0])
    assert len(user_texts(tracker)) == 1 and user_texts(tracker)[0]
    timings = kiosk.turn_timings[0]
    assert set(timings) == {"end_of_speech_wait", "asr_final", "rest_turn", "tts_first_chunk"}


def test_french_speech_turns(stack, tmp_path: Path, french_model: object) -> None:
    turns = tmp_path / "in"
    turns.mkdir()
    (turns / "1.wav").write_bytes(synthesize("j'ai oublié mon mot de passe", rate=120).to_wav())
    (turns / "2.wav").write_bytes(synthesize("au revoir", rate=120).to_wav())
    out = tmp_path / "out"
    kiosk = kiosk_for(stack, WavEars(turns, french_model, VoiceConfig.from_settings()), out)
    kiosk.model = french_model
    assert kiosk.run() == 0
    texts = [text for _, text in spoken(out)]
    assert any("mot de passe oublié" in text for text in texts)
