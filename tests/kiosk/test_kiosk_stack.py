"""The kiosk against the running assistant, in its no-hardware modes, speech written as WAVs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.assistant import Assistant
from kiosk.kiosk import Kiosk, load_messages
from kiosk.listen import TypedEars, WavEars, hear
from kiosk.speak import TRANSCRIPT_NAME, WavMouth
from passerelle.actualisation import HOURS_SLOT, SALARY_SLOT
from passerelle.calendar import period_for
from passerelle.names import KIOSK_SENDER_PREFIX as SENDER_PREFIX
from tests.support.spoken_set import PAD_MS
from voice.audio import Audio, read_wav, silence
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.tts import PicoVoice, synthesize
from voice.vad import frames

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
        assert audio.rate == 16_000 and audio.rms > 300  # the default voice, Pico
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


def pico_turns(folder: Path, texts: list[str]) -> Path:
    """One WAV per turn, each said by the Pico voice, with a little silence around."""
    folder.mkdir(parents=True, exist_ok=True)
    pad = silence(PAD_MS, SAMPLE_RATE)
    for index, text in enumerate(texts, 1):
        speech = synthesize(text, normalize=False, engine=PicoVoice()).resampled(SAMPLE_RATE)
        (folder / f"{index:02d}.wav").write_bytes((pad + speech + pad).to_wav())
    return folder


class StepAwareEars(WavEars):
    """WAV turns in order; when the kiosk has just asked "Voulez-vous la suite ?" (a long
    answer said in steps), the person answers with the Pico "Oui." of `more`."""

    def __init__(self, folder: Path, model: object, config: VoiceConfig, more: Path, out: Path):
        super().__init__(folder, model, config)
        self.more = more
        self.out = out

    def listen(self, grammar, timeout: float):  # noqa: ANN001, ANN201 - as WavEars.listen
        said = spoken(self.out) if (self.out / TRANSCRIPT_NAME).exists() else []
        if said and said[-1][1].rstrip().endswith(MESSAGES["more"]):
            audio = read_wav(self.more) + silence(self.config.end_silence_ms + 200, SAMPLE_RATE)
            return hear(frames(audio.pcm()), self.model, grammar, self.config, timeout=1e9)
        return super().listen(grammar, timeout)


def slots_of(tracker: dict) -> dict:
    return tracker.get("slots") or {}


def test_spoken_actualisation_reaches_the_recap(stack, tmp_path: Path, french_model) -> None:
    """A whole rehearsal spoken by Pico, in --wav-in mode, on the kiosk's recogniser."""
    answers = ["Je veux faire mon actualisation."]
    if not period_for().is_open:
        answers.append("Oui.")  # rehearse now, the window being closed
    answers += [
        "Oui.",  # worked
        "J'ai travaillé cent vingt heures.",
        "Mille cinq cents euros brut.",
        "Non.",  # internship
        "Non.",  # sick leave
        "Non.",  # maternity leave
        "Non.",  # retirement pension
        "Non.",  # invalidity pension
        "Oui.",  # still seeking work
    ]
    turns = pico_turns(tmp_path / "in", answers)
    more = pico_turns(tmp_path / "more", ["Oui."]) / "01.wav"
    out = tmp_path / "out"
    config = VoiceConfig.from_settings().with_changes(rasa_url=stack.rasa_url)
    ears = StepAwareEars(turns, french_model, config, more, out)
    kiosk = kiosk_for(stack, ears, out, french_model)
    assert kiosk.run() == 0
    texts = [text for _, text in spoken(out)]
    tracker = stack.tracker(kiosk.senders[0])
    slots = slots_of(tracker)
    assert slots.get(HOURS_SLOT) == 120, (texts, user_texts(tracker))
    assert slots.get(SALARY_SLOT) == 1500, (texts, user_texts(tracker))
    assert slots.get("still_seeking") is True and slots.get("worked") is True
    # The recap was reached and read aloud, with the hours and the salary in words.
    asked = [
        e.get("metadata", {}).get("utter_action") for e in tracker["events"] if e["event"] == "bot"
    ]
    assert "utter_ask_declaration_confirmed" in asked, asked
    spoken_text = " ".join(texts)
    assert "cent vingt heures" in spoken_text and "mille cinq cents euros" in spoken_text, texts
    assert any("Est-ce correct" in text for text in texts)


def noisy_turn(kind: str) -> Audio:
    rng = np.random.default_rng(5)
    if kind == "silence":
        return silence(3000, SAMPLE_RATE)
    if kind == "noise":
        return Audio(rng.normal(0, 1500, 3 * SAMPLE_RATE).astype(np.int16), SAMPLE_RATE)
    if kind == "cough":
        parts = [np.zeros(SAMPLE_RATE // 2)]
        for _ in range(2):
            burst = np.convolve(rng.normal(0, 1, 4000), np.hanning(9), mode="same")
            parts += [burst * np.exp(-np.linspace(0, 5, 4000)) * 9000, np.zeros(2000)]
        parts.append(np.zeros(SAMPLE_RATE // 2))
        return Audio(np.clip(np.concatenate(parts), -32768, 32767).astype(np.int16), SAMPLE_RATE)
    raise ValueError(kind)


RAMBLE = (
    "Alors voilà, je vous explique, hier je suis allé à la poste pour envoyer un colis à ma "
    "soeur qui habite à Lyon, et puis après je suis passé à la boulangerie, il y avait "
    "beaucoup de monde, et la dame m'a dit que le pain de campagne était fini, alors j'ai "
    "pris une baguette, et en rentrant j'ai vu mon voisin qui m'a parlé de son jardin, de "
    "ses tomates et de ses salades, et on a discuté longtemps du temps qu'il fait, de la "
    "pluie, du vent, et aussi de son chien qui aboie toute la nuit. Ensuite je suis rentré "
    "chez moi, j'ai préparé le repas, et j'ai regardé la télévision avec ma femme."
)


@pytest.mark.parametrize("kind", ["silence", "noise", "cough", "ramble"])
def test_silence_noise_cough_and_ramble_get_a_sensible_answer(
    stack, tmp_path: Path, french_model, kind: str
) -> None:
    turns = tmp_path / "in"
    turns.mkdir()
    if kind == "ramble":
        speech = synthesize(RAMBLE, normalize=False, engine=PicoVoice())
        assert speech.duration > 28  # a 30-second ramble
        (turns / "1.wav").write_bytes(speech.to_wav())
    else:
        (turns / "1.wav").write_bytes(noisy_turn(kind).to_wav())
    out = tmp_path / "out"
    config = VoiceConfig.from_settings().with_changes(rasa_url=stack.rasa_url)
    kiosk = kiosk_for(stack, WavEars(turns, french_model, config), out, french_model)
    assert kiosk.run() == 0  # no traceback, the kiosk ends when the turns do
    texts = [text for _, text in spoken(out)]
    assert len(texts) == 2, texts  # the greeting, then one answer to the turn
    if kind == "ramble":
        # Heard (the first 20 seconds), sent to the assistant, answered.
        tracker = stack.tracker(kiosk.senders[0])
        assert len(user_texts(tracker)) == 1 and len(user_texts(tracker)[0]) > 40
        assert texts[1]
    else:
        # Nobody spoke: the question is asked again; nothing reaches the assistant.
        assert texts[1].startswith(MESSAGES["nothing_heard"]), texts
        assert not user_texts(stack.tracker(kiosk.senders[0]))
