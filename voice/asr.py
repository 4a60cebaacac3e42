"""Speech to text behind one interface, two engines: Vosk and Whisper.

An `Engine` gives a `Stream` per turn: `accept()` takes 16 kHz mono PCM chunk by chunk,
`final()` returns a `Transcript` (text, words with confidences when the engine has them).

- **Vosk** (`VoskEngine`) streams, and takes the buttons' `Grammar`: it can then only
  hear those phrases. It needs a French model (`make voice-model`, Internet).
- **Whisper** base through faster-whisper (`voice.whisper.WhisperEngine`) decodes once the
  end of speech is detected; it installs from PyPI wheels. Its free text is brought back
  to the buttons by `Grammar.snap`.

`load_engine(config)` picks one from `VOICE_ASR` (auto: Vosk when its French model is
installed, else Whisper), and logs which engine and model it uses.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from passerelle.numbers import normalize as numbers_to_digits
from voice.audio import Audio
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.grammar import COMMAND_FORMS, UNKNOWN, Grammar
from voice.models import check_model, require_model

logger = logging.getLogger(__name__)
# Which engines and models run: logged once at start, shown even when the kiosk is quiet.
startup_logger = logging.getLogger("voice.start")

CHUNK_MS = 100  # size of the chunks `transcribe` streams to the engine
ENGINES = ("vosk", "whisper")

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


@dataclass(frozen=True)
class Word:
    """One recognised word, its confidence (0-1) and its times in seconds."""

    word: str
    conf: float
    start: float
    end: float


@dataclass(frozen=True)
class Transcript:
    """What the recogniser heard in one turn.

    `conf` is a whole-text confidence for engines without word confidences (Whisper);
    `silent` says that the engine heard nobody speak (Whisper's empty output, or one of
    its known inventions on silence and noise), as opposed to speech it could not
    understand.
    """

    text: str
    words: tuple[Word, ...] = ()
    conf: float | None = None
    silent: bool = False

    @property
    def confidence(self) -> float:
        """The lowest word confidence, else the whole-text one (1.0 when nothing was heard)."""
        if self.words:
            return min(word.conf for word in self.words)
        return 1.0 if self.conf is None else self.conf

    @property
    def empty(self) -> bool:
        return not self.text or self.text == UNKNOWN


class Stream(Protocol):
    """One turn of recognition."""

    def accept(self, pcm: bytes, partial: bool = False) -> str: ...

    def final(self) -> Transcript: ...


class Engine(Protocol):
    """A speech recogniser, loaded once per process."""

    name: str  # "vosk" or "whisper"
    model_name: str

    def stream(self, grammar: Grammar | None = None) -> Stream: ...


class Recognizer:
    """One streaming Vosk recognition: `accept` chunks, then `final` for the transcript."""

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


class VoskEngine:
    """Vosk: streaming recognition, grammars restricted to the model's vocabulary."""

    name = "vosk"

    def __init__(self, model: object, path: Path | str = "") -> None:
        self.model = model
        self.model_name = f"Vosk {Path(path).name}" if path else "Vosk"

    @classmethod
    def load(cls, path: Path) -> VoskEngine:
        return cls(load_model(path), path)

    def stream(self, grammar: Grammar | None = None) -> Recognizer:
        return Recognizer(self.model, SAMPLE_RATE, grammar)

    def knows_word(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) != -1  # type: ignore[attr-defined]


def as_engine(model: object) -> Engine:
    """`model` as an engine: an engine stays itself, a bare Vosk model is wrapped."""
    if hasattr(model, "stream"):
        return model  # type: ignore[return-value]
    return VoskEngine(model)


def choose_engine(config: VoiceConfig) -> str:
    """ "vosk" or "whisper", from `VOICE_ASR` (auto: Vosk only when its model is there)."""
    if config.asr_engine in ENGINES:
        return config.asr_engine
    return "vosk" if not check_model(config.model_path) else "whisper"


def load_engine(config: VoiceConfig) -> Engine:
    """The recogniser the settings ask for, loaded (and warmed up) once; logs which one.

    Raises `voice.models.ModelError` (French message naming the fix) when its model is
    missing or refused.
    """
    name = choose_engine(config)
    if name == "vosk":
        engine: Engine = VoskEngine.load(config.model_path)
    else:
        from voice.whisper import WhisperEngine

        engine = WhisperEngine.load(config)
    startup_logger.info(
        "Speech recognition: %s, model %s (VOICE_ASR=%s)",
        engine.name,
        engine.model_name,
        config.asr_engine,
    )
    return engine


def transcribe(
    model: object, audio: Audio, grammar: Grammar | None = None, chunk_ms: int = CHUNK_MS
) -> Transcript:
    """Recognises a whole recording (resampled to 16 kHz), streaming it in chunks.

    `model` is an engine, or a bare Vosk model. With a grammar, Vosk hears only its phrases
    and Whisper's text is snapped to them (`Grammar.snap`).
    """
    audio = audio.resampled(SAMPLE_RATE)
    engine = as_engine(model)
    recognizer = engine.stream(grammar)
    pcm = audio.pcm()
    size = int(SAMPLE_RATE * chunk_ms / 1000) * 2
    for offset in range(0, len(pcm), size):
        recognizer.accept(pcm[offset : offset + size])
    return recognizer.final()


# Whisper writes "cent cinquante et une heures" as "150 et 1 heure": tens "et un(e)" is
# one number in French (21, 31... 61, 151), never two.
TENS_AND_ONE_RE = re.compile(r"\b(\d*[2-6]0) et (?:1|une?)(?:\b|(?=h\d))(?!\s*(?:[,.]\d|\d))")


# ...and "cent cinquante et une heures" as "150 heures et une heure".
TENS_AND_ONE_HOUR_RE = re.compile(r"\b(\d*[2-6]0) heures? et (?:1|une) heures?\b")


def to_message(text: str) -> str:
    """What is sent to the assistant: spoken numbers become digits ("trente-cinq" -> "35")."""
    if not text:
        return ""
    digits = numbers_to_digits(text)
    digits = TENS_AND_ONE_HOUR_RE.sub(lambda m: f"{int(m.group(1)) + 1} heures", digits)
    return TENS_AND_ONE_RE.sub(lambda m: str(int(m.group(1)) + 1), digits)


def join_words(words: Iterable[Word]) -> str:
    return " ".join(word.word for word in words)


__all__ = [
    "COMMAND_FORMS",
    "Engine",
    "Grammar",
    "Recognizer",
    "Stream",
    "Transcript",
    "VoskEngine",
    "Word",
    "as_engine",
    "choose_engine",
    "load_engine",
    "load_model",
    "to_message",
    "transcribe",
]
