"""At the kiosk, a person who asks for someone hears the code of their conversation,
spelled, and the code is the one the console searches (the real assistant, typed mode)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kiosk.assistant import Assistant
from kiosk.kiosk import Kiosk
from kiosk.listen import TypedEars
from kiosk.speak import TRANSCRIPT_NAME, WavMouth
from kiosk.steps import speakable
from passerelle.shortcode import CODE_SLOT, normalized, spoken
from voice.config import VoiceConfig


def test_the_kiosk_says_the_code_when_someone_is_asked_for(stack, tmp_path: Path) -> None:
    config = VoiceConfig.from_settings().with_changes(rasa_url=stack.rasa_url)
    ears = TypedEars(["bonjour", "je veux parler à un conseiller", "au revoir"])
    kiosk = Kiosk(
        config, ears, WavMouth(tmp_path), Assistant(stack.rasa_url, 60.0, stack.kiosk_token)
    )
    assert kiosk.run() == 0
    code = stack.tracker(kiosk.senders[0])["slots"][CODE_SLOT]
    assert normalized(code), code
    rows = (tmp_path / TRANSCRIPT_NAME).read_text(encoding="utf-8").splitlines()
    said = " ".join(row.split("\t")[3] for row in rows)
    assert "accueil" in said
    assert speakable(spoken(code), date.today()) in said, said
    assert code not in said  # spelled, never read as a word
