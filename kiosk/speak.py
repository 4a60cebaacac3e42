"""Where the kiosk's speech goes: the speakers, numbered WAV files, or the terminal.

Every mouth also says how long a text takes to speak (`seconds`), with the voice and rate
it speaks with, so the kiosk can cut long answers into short steps (`kiosk/steps.py`).
The sound of each sentence is kept for a while (`spoken`): measuring a step and then
saying it synthesises it once.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import time
from pathlib import Path
from typing import Protocol, TextIO

from voice.audio import Audio, tone
from voice.mic import Speakers
from voice.tts import synthesize

logger = logging.getLogger(__name__)

TRANSCRIPT_NAME = "transcript.tsv"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SPOKEN_CACHE = 64  # sentences whose sound is kept (the current turn and a few prompts)
# Without sound (TextMouth): the kiosk's voice at 140 words a minute says about 14.8
# characters of normalised French a second (espeak-ng, measured on the kiosk's answers).
CHARS_PER_SECOND_AT_140 = 14.8


class Mouth(Protocol):
    """Says already-normalised French text."""

    def say(self, text: str, rate: int, gain: float) -> float: ...

    def seconds(self, text: str, rate: int) -> float: ...

    def beep(self) -> None: ...


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence, so the first one can be spoken while the rest is made."""
    return [part for part in SENTENCE_END.split(text.strip()) if part]


@functools.lru_cache(maxsize=SPOKEN_CACHE)
def spoken(sentence: str, rate: int) -> Audio:
    """One sentence in the kiosk's voice (kept: measured first, then said)."""
    return synthesize(sentence, rate=rate, normalize=False)


def speech_seconds(text: str, rate: int) -> float:
    """How long the kiosk's voice takes to say `text`, sentence by sentence."""
    return sum(spoken(sentence, rate).duration for sentence in sentences(text))


class SpeakerMouth:
    """Speaks through the speakers, sentence by sentence."""

    def __init__(self, speakers: Speakers | None = None) -> None:
        self.speakers = speakers or Speakers()

    def say(self, text: str, rate: int, gain: float) -> float:
        """Speaks; returns the seconds until the first sample was ready to play."""
        started = time.perf_counter()
        first = None
        for sentence in sentences(text):
            audio = spoken(sentence, rate).scaled(gain)
            if first is None:
                first = time.perf_counter() - started
            self.speakers.play(audio)
        return first or 0.0

    def seconds(self, text: str, rate: int) -> float:
        return speech_seconds(text, rate)

    def beep(self) -> None:
        self.speakers.play(tone(22_050))


class WavMouth:
    """Writes each utterance as `NNN-borne.wav` and its text in `transcript.tsv`."""

    def __init__(self, folder: Path, echo: TextIO | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(self.folder.glob("*-borne.wav")))
        self.echo = echo
        self.files: list[Path] = []

    def say(self, text: str, rate: int, gain: float) -> float:
        started = time.perf_counter()
        first = None
        audio: Audio | None = None
        for sentence in sentences(text):
            part = spoken(sentence, rate).scaled(gain)
            if first is None:
                first = time.perf_counter() - started
            audio = part if audio is None else audio + part
        if audio is None:
            return 0.0
        self.count += 1
        path = self.folder / f"{self.count:03d}-borne.wav"
        path.write_bytes(audio.to_wav())
        with open(self.folder / TRANSCRIPT_NAME, "a", encoding="utf-8") as out:
            out.write(f"{path.name}\t{rate}\t{gain:g}\t{text}\n")
        self.files.append(path)
        if self.echo is not None:
            print(f"Borne : {text}", file=self.echo, flush=True)
        return first or 0.0

    def seconds(self, text: str, rate: int) -> float:
        return speech_seconds(text, rate)

    def beep(self) -> None:
        return None


class TextMouth:
    """Prints what the kiosk would say (typed mode without sound)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def say(self, text: str, rate: int, gain: float) -> float:
        print(f"Borne : {text}", file=self.stream, flush=True)
        return 0.0

    def seconds(self, text: str, rate: int) -> float:
        """An estimate from the length of the text (no voice is used here)."""
        return len(text) / CHARS_PER_SECOND_AT_140 * 140 / max(rate, 1)

    def beep(self) -> None:
        return None


__all__ = [
    "Mouth",
    "SpeakerMouth",
    "TextMouth",
    "WavMouth",
    "sentences",
    "speech_seconds",
    "spoken",
]
