"""Speech to text with Vosk: streaming recognition, word confidences, button grammars.

A `Recognizer` takes 16 kHz mono PCM chunk by chunk, gives partial text while the person
speaks and a `Transcript` (text + words with confidences) at the end. When the bot's
message has buttons, `Grammar.from_buttons` restricts recognition to those answers and
their usual spoken forms, and maps what was heard back to the button's payload.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from passerelle.numbers import normalize as numbers_to_digits
from passerelle.text import SPOKEN_NO, SPOKEN_YES, words, yes_or_no
from voice.audio import Audio
from voice.config import SAMPLE_RATE
from voice.models import require_model
from voice.normalize import normalize_for_speech

logger = logging.getLogger(__name__)

CHUNK_MS = 100  # size of the chunks `transcribe` streams to Vosk
UNKNOWN = "[unk]"
# Phrases the kiosk handles itself; they stay recognisable whatever the buttons are.
COMMAND_FORMS = {
    "répète": "répète",
    "répétez": "répète",
    "répéter": "répète",
    "plus lentement": "plus lentement",
    "moins vite": "plus lentement",
    "plus fort": "plus fort",
    "recommence": "recommence",
    "recommencer": "recommence",
    "recommencez": "recommence",
    "stop": "stop",
    "arrête": "stop",
    "arrêter": "stop",
    "arrêtez": "stop",
}

_models: dict[str, object] = {}
_models_lock = threading.Lock()


def load_model(path: Path) -> object:
    """Loads (once per process) the Vosk model at `path`.

    Raises `voice.models.ModelError` with a French message saying how to get one.
    """
    key = str(Path(path).resolve())
    with _models_lock:
        if key not in _models:
            require_model(Path(path))
            import vosk

            vosk.SetLogLevel(-1)
            logger.info("Loading Vosk model %s", key)
            _models[key] = vosk.Model(key)
        return _models[key]


def _phrase(text: str) -> str:
    """A grammar phrase: lowercase words, apostrophes and hyphens kept for the vocabulary."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")
    text = re.sub(r"[^\w\s'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Word:
    """One recognised word, its confidence (0-1) and its times in seconds."""

    word: str
    conf: float
    start: float
    end: float


@dataclass(frozen=True)
class Transcript:
    """What Vosk heard in one turn."""

    text: str
    words: tuple[Word, ...] = ()

    @property
    def confidence(self) -> float:
        """The lowest word confidence (1.0 when nothing was heard)."""
        return min((word.conf for word in self.words), default=1.0)

    @property
    def empty(self) -> bool:
        return not self.text or self.text == UNKNOWN


@dataclass
class Grammar:
    """Phrases Vosk may recognise, and the payload each one stands for."""

    payloads: dict[str, str] = field(default_factory=dict)

    @property
    def phrases(self) -> list[str]:
        return list(self.payloads)

    @classmethod
    def from_buttons(cls, buttons: Sequence[dict], model: object | None = None) -> Grammar:
        """Button titles and their usual spoken forms, plus the kiosk's own commands.

        With a `model`, each phrase is checked against its vocabulary; a phrase whose words
        it does not know is written another way (apostrophes, hyphens) or dropped.
        """
        grammar = cls()
        for button in buttons:
            title = _phrase(normalize_for_speech(str(button.get("title", ""))))
            payload = str(button.get("payload") or button.get("title") or "")
            if not title or not payload:
                continue
            forms = [title]
            answer = yes_or_no(title.split(" ")[0])  # "Oui", "D'accord", "Non, merci"
            if answer is not None:
                forms += SPOKEN_YES if answer else SPOKEN_NO
            for form in forms:
                grammar._add(form, payload, model)
        for form, command in COMMAND_FORMS.items():
            grammar._add(form, command, model)
        if model is not None and _known(model, UNKNOWN):
            grammar.payloads.setdefault(UNKNOWN, "")
        return grammar

    def _add(self, phrase: str, payload: str, model: object | None) -> None:
        spelled = _spelling_in_vocabulary(phrase, model) if model is not None else phrase
        if spelled is None:
            logger.info("Grammar: %r is not in the model's vocabulary, left out", phrase)
            return
        self.payloads.setdefault(spelled, payload)

    def to_json(self) -> str:
        """The grammar as Vosk takes it (UTF-8 text, not \\u escapes)."""
        return json.dumps(self.phrases, ensure_ascii=False)

    def payload_for(self, text: str) -> str | None:
        """The payload of the phrase recognised, or None when `text` is none of them."""
        text = words(text)
        simple = {words(phrase): payload for phrase, payload in self.payloads.items() if payload}
        if text in simple:
            return simple[text]
        for phrase, payload in simple.items():
            if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
                return payload
        return None


def _known(model: object, word: str) -> bool:
    return model.vosk_model_find_word(word) != -1  # type: ignore[attr-defined]


def _spelling_in_vocabulary(phrase: str, model: object) -> str | None:
    """`phrase` as the model spells it ("d'accord", "d' accord", "d accord"), or None."""
    variants = [
        phrase,
        phrase.replace("'", "' "),
        phrase.replace("'", " "),
        phrase.replace("-", " "),
    ]
    for variant in dict.fromkeys(variants):
        if all(_known(model, word) for word in variant.split()):
            return variant
    return None


class Recognizer:
    """One streaming recognition: `accept` chunks, then `final` for the transcript."""

    def __init__(
        self, model: object, rate: int = SAMPLE_RATE, grammar: Grammar | None = None
    ) -> None:
        import vosk

        phrases = grammar.phrases if grammar else []
        if phrases:
            self._kaldi = vosk.KaldiRecognizer(model, rate, grammar.to_json())
        else:
            self._kaldi = vosk.KaldiRecognizer(model, rate)
        self._kaldi.SetWords(True)
        self.rate = rate
        self._segments: list[dict] = []

    def accept(self, pcm: bytes, partial: bool = False) -> str:
        """Feeds 16-bit mono PCM; with `partial`, returns the text heard so far in this segment.

        Partial results cost a best-path search each time: the kiosk does not ask for them.
        """
        if self._kaldi.AcceptWaveform(pcm):
            self._segments.append(json.loads(self._kaldi.Result()))
            return ""
        if not partial:
            return ""
        return json.loads(self._kaldi.PartialResult()).get("partial", "")

    def final(self) -> Transcript:
        """Ends the stream and returns everything heard."""
        self._segments.append(json.loads(self._kaldi.FinalResult()))
        words = tuple(
            Word(item["word"], float(item.get("conf", 1.0)), item["start"], item["end"])
            for segment in self._segments
            for item in segment.get("result", [])
        )
        text = " ".join(seg.get("text", "") for seg in self._segments if seg.get("text")).strip()
        self._segments = []
        return Transcript(text, words)


def transcribe(
    model: object, audio: Audio, grammar: Grammar | None = None, chunk_ms: int = CHUNK_MS
) -> Transcript:
    """Recognises a whole recording (resampled to 16 kHz), streaming it in chunks."""
    audio = audio.resampled(SAMPLE_RATE)
    recognizer = Recognizer(model, SAMPLE_RATE, grammar)
    pcm = audio.pcm()
    size = int(SAMPLE_RATE * chunk_ms / 1000) * 2
    for offset in range(0, len(pcm), size):
        recognizer.accept(pcm[offset : offset + size])
    return recognizer.final()


def to_message(text: str) -> str:
    """What is sent to the assistant: spoken numbers become digits ("trente-cinq" -> "35")."""
    return numbers_to_digits(text) if text else ""


def join_words(words: Iterable[Word]) -> str:
    return " ".join(word.word for word in words)


__all__ = [
    "Grammar",
    "Recognizer",
    "Transcript",
    "Word",
    "load_model",
    "to_message",
    "transcribe",
]
