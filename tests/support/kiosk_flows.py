"""The kiosk's main conversations, played by a scripted person against the real assistant.

Shared by `tests/kiosk/test_spoken_turns_stack.py` (which fails on a turn over 12 s) and
`bench/kiosk_turns.py` (which prints every turn's length). The kiosk runs as in
`python -m kiosk --typed --wav-out DIR`: its real voice writes each utterance as a WAV.
A *turn* is everything the kiosk says before it listens, so its length is the time the
person waits before they can answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.assistant import Assistant
from kiosk.kiosk import Kiosk, load_messages
from kiosk.listen import Heard
from kiosk.printer import Printer
from kiosk.speak import WavMouth, sentences
from voice.audio import read_wav
from voice.config import VoiceConfig

MESSAGES = load_messages()
MORE = MESSAGES["more"]


@dataclass(frozen=True)
class Turn:
    """What the kiosk said before listening, how long it took, and the person's answer."""

    said: str
    seconds: float
    answer: str | None


@dataclass(frozen=True)
class Flow:
    """A conversation: answers picked from what the kiosk last asked.

    The kiosk's own greeting gets `first`. Then `rules`, (pattern, answer) pairs, are
    tried in order on the turn's last question; "Voulez-vous la suite ?" gets
    `more_answers` in order, then "oui". No rule matching ends the flow.
    """

    name: str
    rules: Sequence[tuple[str, str]]
    more_answers: Sequence[str] = ()
    first: str = "bonjour"
    max_turns: int = 40


class RecordingMouth(WavMouth):
    """The kiosk's WAV output, remembering the text of each file."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.texts: list[str] = []

    def say(self, text: str, rate: int, gain: float) -> float:
        first = super().say(text, rate, gain)
        self.texts.append(text)
        return first


@dataclass
class ScriptedPerson:
    """Ears that answer by the flow's rules, and note each turn as the kiosk listens."""

    flow: Flow
    mouth: RecordingMouth
    turns: list[Turn] = field(default_factory=list)
    seen: int = 0
    wants_tone: bool = False

    def listen(self, grammar: object, timeout: float) -> Heard:
        files, texts = self.mouth.files[self.seen :], self.mouth.texts[self.seen :]
        self.seen = len(self.mouth.files)
        said = " ".join(texts)
        seconds = sum(read_wav(path).duration for path in files)
        answer = self._answer(said) if len(self.turns) < self.flow.max_turns else None
        self.turns.append(Turn(said, seconds, answer))
        return Heard(finished=True) if answer is None else Heard(text=answer)

    def _answer(self, said: str) -> str | None:
        if not said:
            return None  # the kiosk waits for the next person: the flow is over
        if not self.turns:
            return self.flow.first
        if said.endswith(MORE):
            asked = sum(turn.said.endswith(MORE) for turn in self.turns)
            answers = self.flow.more_answers
            return answers[asked] if asked < len(answers) else "oui"
        question = last_question(said)
        for pattern, answer in self.flow.rules:
            if re.search(pattern, question, re.IGNORECASE):
                return answer
        return None

    def pause(self) -> None:
        return None

    def resume(self) -> None:
        return None


def last_question(said: str) -> str:
    """The last sentence with a question mark, and what follows it."""
    parts = sentences(said)
    for index in range(len(parts) - 1, -1, -1):
        if "?" in parts[index]:
            return " ".join(parts[index:])
    return said


@dataclass(frozen=True)
class Played:
    """A played flow: its turns and the kiosk's conversation id."""

    flow: Flow
    turns: list[Turn]
    sender: str


def play(
    flow: Flow,
    rasa_url: str,
    kiosk_token: str,
    out: Path,
    printer: Printer | None = None,
) -> Played:
    """Runs the kiosk through `flow` against the assistant at `rasa_url`."""
    config = VoiceConfig.from_settings().with_changes(rasa_url=rasa_url)
    mouth = RecordingMouth(out)
    person = ScriptedPerson(flow, mouth)
    kiosk = Kiosk(
        config,
        person,  # type: ignore[arg-type]  # an Ears
        mouth,
        Assistant(rasa_url, 60.0, kiosk_token),
        printer=printer,
    )
    kiosk.run()
    return Played(flow, person.turns, kiosk.senders[0])


# The main flows of the kiosk: after the kiosk's greeting, the person says "bonjour",
# then asks for one topic and listens to the end.
GOODBYE = (r"autre question|Dites ", "au revoir")
FLOWS = [
    Flow(
        "identifiant oublié",
        [(r"Que voulez-vous faire", "j'ai oublié mon identifiant"), GOODBYE],
        more_answers=("répète", "oui"),
    ),
    Flow("mot de passe oublié", [(r"Que voulez-vous faire", "mot de passe oublié"), GOODBYE]),
    Flow("connexion", [(r"Que voulez-vous faire", "comment me connecter"), GOODBYE]),
    Flow("sécurité", [(r"Que voulez-vous faire", "des conseils de sécurité"), GOODBYE]),
    Flow(
        "actualisation",
        [
            (r"Que voulez-vous faire", "je veux m'actualiser"),
            (r"entraîner", "oui"),
            (r"Combien d'heures", "trente-cinq heures"),
            (r"^Avez-vous travaillé", "oui"),
            (r"salaire brut", "mille deux cents euros"),
            (r"stage|arrêt maladie|congé maternité|pension", "non"),
            (r"recherche d'un emploi", "oui"),
            (r"Est-ce correct", "oui"),
            (r"autre question", "au revoir"),
        ],
    ),
]

__all__ = ["FLOWS", "Flow", "Played", "Turn", "play"]
