"""Spoken turns: bot messages made speakable, then cut into short steps.

`speakable` turns one paragraph of a bot message into the words the voice reads: links are
never read (the kiosk variants of `domain.yml` say what a link is for instead; a link left
in a message is dropped), and dates of the current year are said without the year.

A bot turn arrives as several messages. The kiosk speaks it as steps: each step is at most
`budget` seconds of audio, measured with the kiosk's own voice at its current rate, before
the person can answer. Every step but the last ends with "Voulez-vous la suite ?"; the
last one ends with the turn's closing (its question, the answer choices, what to do next).

Steps break preferably between paragraphs (messages, and blank lines inside a message:
the kiosk variants of `domain.yml` put them where a pause makes sense), and inside a
paragraph only between sentences. A single sentence longer than the budget stays whole.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from kiosk.speak import sentences
from passerelle.calendar import MONTH_NAMES
from passerelle.shortcode import spoken_codes
from voice.normalize import normalize_for_speech

logger = logging.getLogger(__name__)

STEP_SECONDS = 12.0  # the longest a step may speak before the person can answer
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MONTHS = "|".join(MONTH_NAMES)


def paragraphs_of(text: str) -> list[str]:
    """A message's paragraphs (separated by a blank line)."""
    return [part for part in PARAGRAPH_BREAK.split(text) if part.strip()]


def without_links(text: str) -> str:
    """`text` without web links: a kiosk never reads an address or a token aloud."""
    if LINK.search(text):
        logger.warning("A link in a message for the kiosk was left out (no kiosk variant?)")
    return LINK.sub("", text)


def without_current_year(text: str, today: date) -> str:
    """ "01/11/2026" -> "01/11", "28 novembre 2026" -> "28 novembre", in 2026 only."""
    year = str(today.year)
    text = re.sub(rf"\b(\d{{1,2}}/\d{{1,2}})/{year}\b", r"\1", text)
    return re.sub(rf"\b({MONTHS}) {year}\b", r"\1", text, flags=re.IGNORECASE)


def list_items_as_sentences(text: str) -> str:
    """A list item ending with ";" ends a sentence when spoken, so a step may end there."""
    text = re.sub(r"\s*;[ \t]*$", ".", text, flags=re.MULTILINE)
    return re.sub(r"^(\s*[-*•]\s+)(\w)", lambda m: m[1] + m[2].upper(), text, flags=re.MULTILINE)


def speakable(paragraph: str, today: date) -> str:
    """One paragraph of a bot message as the words the kiosk's voice reads."""
    text = list_items_as_sentences(without_current_year(without_links(paragraph), today))
    # The conversation's code ("K7M-4QR") is spelled, one sign at a time.
    return normalize_for_speech(spoken_codes(text))


@dataclass(frozen=True)
class Step:
    """One stretch of speech, then the person's turn."""

    body: str  # the information, possibly empty
    ending: str  # "Voulez-vous la suite ?" or the turn's closing, possibly empty
    last: bool  # the last step of the turn

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.body, self.ending) if part)


def plan_steps(
    paragraphs: Sequence[str],
    closing: str,
    seconds: Callable[[str], float],
    more: str,
    budget: float = STEP_SECONDS,
) -> list[Step]:
    """Cuts a turn into steps of at most `budget` seconds each.

    `paragraphs` are normalised French (what the voice reads); `closing` ends the last
    step; `more` ("Voulez-vous la suite ?") ends the others; `seconds(text)` is how long
    the voice takes to say `text`, sentence by sentence as the kiosk speaks it.
    """
    durations: dict[str, float] = {}

    def length(parts: Sequence[str]) -> float:
        total = 0.0
        for part in parts:
            if part not in durations:
                durations[part] = seconds(part)
            total += durations[part]
        return total

    more_s = length([more])
    closing_s = length(sentences(closing)) if closing else 0.0
    said = [sentences(paragraph) for paragraph in paragraphs]
    steps: list[Step] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            steps.append(Step(" ".join(current), more, last=False))
            current.clear()

    for index, sentences_of_paragraph in enumerate(said):
        rest = [sentence for paragraph in said[index:] for sentence in paragraph]
        if length(current + rest) + closing_s <= budget:
            current.extend(rest)  # all the rest fits with the closing: no more pause
            break
        if current and length(current + sentences_of_paragraph) + more_s > budget:
            flush()
        if length(sentences_of_paragraph) + more_s <= budget:
            current.extend(sentences_of_paragraph)
            continue
        for sentence in sentences_of_paragraph:  # too long for one step: cut between sentences
            if current and length([*current, sentence]) + more_s > budget:
                flush()
            current.append(sentence)
    if current and length(current) + closing_s > budget:
        flush()
    steps.append(Step(" ".join(current), closing, last=True))
    return steps


__all__ = [
    "STEP_SECONDS",
    "Step",
    "list_items_as_sentences",
    "paragraphs_of",
    "plan_steps",
    "speakable",
    "without_current_year",
    "without_links",
]
