"""SMS and phonetic spellings respelled in plain French, with every offset kept traceable.

People write "g pa travaillé", "jsp koi fer" or "mdp". The NLU classifies a respelled copy
("j'ai pas travaillé") so that a few examples of each intent cover every spelling. The
lexicon is data (`data/lexicon/orthographe.yml`), reviewed by people who know how the
public writes, not code.

Respelling changes lengths ("g" -> "j'ai"), so `Respelled` keeps, for each character of
the new text, the span of the original it comes from: an entity found in the respelled
text ("35" in "g fé 35h") is mapped back to its place in the person's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

import yaml

from passerelle.config import ROOT
from passerelle.text import fold

LEXICON_PATH = ROOT / "data" / "lexicon" / "orthographe.yml"
VOCABULARY_PATH = ROOT / "data" / "lexicon" / "vocabulaire.yml"
LEXICON_VERSION = "1"
# A whole word: letters and digits, not glued to an apostrophe ("c" but not the c of "c'est"),
# with the "+" of "a+" ("à plus").
_WORD = re.compile(r"(?<![\w'])[^\W_]+\+?(?![\w'+])")
# A number glued to its unit: "35h", "1200euros" (not "20h30", a time).
_NUMBER_AND_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)([^\W\d_]+)")
# Long messages (at least this many words) get their end read twice (`focus_on_end`).
LONG_MESSAGE_WORDS = 15
FOCUS_WORDS = 10
MIN_CLAUSE_WORDS = 3
_CLAUSE_END = re.compile(r"[.!?;:,]")
# Letters only: the words the noise check looks at (numbers are answers, never noise).
_LETTERS = re.compile(r"[^\W\d_]+")
# A letter typed three times or more in a row: "merciiii", "nonnn", "aaaaaa".
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
# A message is noise when fewer than this share of its words are known: a third, so that
# a sentence mixing French with another language ("je veux speak to a human") is read.
MIN_KNOWN_SHARE = 1 / 3
# The same word this many times and nothing else ("ok ok ok ok") is tapping, not an answer.
MIN_REPEATS_AS_NOISE = 4
# Words at least this long may differ by one letter from a trained word ("actualistion").
MIN_FUZZY_LENGTH = 5

Span = Tuple[int, int]


def load_lexicon(path: Path = LEXICON_PATH) -> Dict[str, str]:
    """The lexicon's words, keys and values folded like the text they apply to."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if str(data.get("version")) != LEXICON_VERSION:
        raise ValueError(f"{path}: version {LEXICON_VERSION!r} expected")
    lexicon: Dict[str, str] = {}
    for key, value in (data.get("words") or {}).items():
        word, replacement = fold(str(key)).strip(), fold(str(value)).strip()
        if not _WORD.fullmatch(word) or not replacement:
            raise ValueError(f"{path}: {key!r} is not one word with a replacement")
        lexicon[word] = replacement
    return lexicon


@dataclass(frozen=True)
class Respelled:
    """A respelled text and, for each of its characters, the original span it comes from."""

    text: str
    sources: Tuple[Span, ...]
    original_length: int
    # Where the echo of a long message's end starts (`focus_on_end`); the text's length if none.
    echo_start: Optional[int] = None

    @property
    def read_until(self) -> int:
        return len(self.text) if self.echo_start is None else self.echo_start

    def original_span(self, start: int, end: int) -> Span:
        """The span of the original text that `text[start:end]` comes from."""
        if start >= end or not self.sources:
            position = self.sources[start][0] if start < len(self.sources) else self.original_length
            return position, position
        return self.sources[start][0], self.sources[end - 1][1]

    def respelled_span(self, start: int, end: int) -> Span:
        """The span of `text` that comes from the original `[start, end)` (entity offsets)."""
        return self._span_in(start, end, 0, self.read_until) or (self.read_until,) * 2

    def echo_span(self, start: int, end: int) -> Optional[Span]:
        """The span of the echo that comes from the original `[start, end)`, if it is echoed."""
        if self.echo_start is None:
            return None
        return self._span_in(start, end, self.echo_start, len(self.text))

    def _span_in(self, start: int, end: int, low: int, high: int) -> Optional[Span]:
        inside = [
            i for i in range(low, high) if self.sources[i][0] < end and self.sources[i][1] > start
        ]
        if not inside:
            following = [i for i in range(low, high) if self.sources[i][0] >= start]
            return (following[0],) * 2 if following and low == 0 else None
        return inside[0], inside[-1] + 1


def focus_on_end(respelled: Respelled) -> Respelled:
    """A long message's end, where people put their request after their story, read twice.

    "je suis au chômage depuis trois mois, ... , comment je refais mon cv" becomes the same
    text followed by "comment je refais mon cv": the request weighs as much as the story.
    The echo is the last clause (after , . ; : ! ?) if it has 3 to `FOCUS_WORDS` words,
    else the last `FOCUS_WORDS` words. Entities found in the echo are dropped at parse time.
    """
    text = respelled.text.rstrip(" .!?")
    words = list(re.finditer(r"\S+", text))
    if len(words) < LONG_MESSAGE_WORDS:
        return respelled
    cut = words[-FOCUS_WORDS].start()
    boundaries = [m.end() for m in _CLAUSE_END.finditer(text) if m.end() > cut]
    for boundary in reversed(boundaries):
        if len(text[boundary:].split()) >= MIN_CLAUSE_WORDS:
            cut = boundary
            break
    while cut < len(text) and text[cut] == " ":
        cut += 1
    tail = text[cut:]
    echo_start = len(respelled.text) + 1
    sources = (
        respelled.sources
        + ((respelled.original_length,) * 2,)
        + respelled.sources[cut : cut + len(tail)]
    )
    return Respelled(respelled.text + " " + tail, sources, respelled.original_length, echo_start)


# Sentence punctuation, read as a space: "comment je me connecte ?" is the same request
# as "comment je me connecte" (the "?" alone made it france_connect: measured). A decimal
# point or comma between digits stays ("12,50 euros"), and so do apostrophes, hyphens,
# "/" of dates and "€".
_PUNCTUATION = re.compile(r"[?!;:…\"«»()\[\]*~]|(?<!\d)[.,]|[.,](?!\d)")


def without_punctuation(respelled: Respelled) -> Respelled:
    """`respelled` with its sentence punctuation blanked (same length, same sources)."""
    text = _PUNCTUATION.sub(" ", respelled.text)
    return replace(respelled, text=text)


# How a folded French word sounds, roughly, so that spellings of one sound meet: "kestion"
# and "question", "conecté" and "connecter", "arnak" and "arnaque", "kan" and "quand".
# Applied in order; "X" stands for the "ch" sound while the other rules run. Used as
# extra features beside the written words (rasa_server.nlu.SoundFeaturizer), never as
# the text: different words may sound alike ("mois" and "moi").
_SOUND_RULES = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ch|sh|sch", "X"),
        (r"ph", "f"),
        (r"qu|q|ck", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"gu(?=[eiy])", "g"),
        (r"ge(?=[aou])", "j"),
        (r"g(?=[eiy])", "j"),
        (r"x$", ""),
        (r"x", "ks"),
        (r"eaux?$", "o"),
        (r"eau|au", "o"),
        (r"ai|ei", "e"),
        (r"(?:er|ez|et)$", "e"),
        (r"h", ""),
        (r"y", "i"),
        (r"z", "s"),
        (r"[ea]([nm])(?=[^aeiounm]|$)", "an"),
        (r"(.)\1+", r"\1"),
        (r"(?<=..)[stdp]$", ""),
        (r"(?<=..)e$", ""),
        (r"(?<=..)[st]$", ""),
        (r"X", "ch"),
    )
)


def sound(word: str) -> str:
    """A rough key of how the folded `word` sounds ("question" and "kestion": "kestion").

    Words with digits or other signs, and single letters, are kept as they are.
    """
    if len(word) < 2 or not word.isalpha():
        return word
    for pattern, replacement in _SOUND_RULES:
        word = pattern.sub(replacement, word)
    return word


def shorten_elongations(word: str) -> str:
    """ "merciiii" -> "merci", "nonnn" -> "non", "aaaaaa" -> "a"."""
    return _ELONGATION.sub(r"\1", word)


def respell(text: str, lexicon: Mapping[str, str]) -> Respelled:
    """Respells every whole word of `text`; `text` should be folded.

    A word found in `lexicon` is replaced; a letter repeated three times or more is
    written once ("ouiiii" -> "oui"), then the lexicon is looked up again ("ouaiii"). A
    number glued to its unit is split ("35h" -> "35 h"), so that the number is a word of
    its own for the entity extractor.
    """
    pieces: List[str] = []
    sources: List[Span] = []
    done = 0

    def keep(start: int, end: int) -> None:
        pieces.append(text[start:end])
        sources.extend((i, i + 1) for i in range(start, end))

    def put(replacement: str, span: Span) -> None:
        pieces.append(replacement)
        sources.extend([span] * len(replacement))

    for match in _WORD.finditer(text):
        word = match.group()
        glued = _NUMBER_AND_UNIT.fullmatch(word)
        if glued:
            keep(done, match.start() + glued.end(1))
            put(" ", (match.start() + glued.end(1),) * 2)
            unit = glued.group(2)
            put(lexicon.get(unit, unit), (match.start() + glued.start(2), match.end()))
            done = match.end()
            continue
        short = shorten_elongations(word)
        replacement = lexicon.get(word) or lexicon.get(short) or (short if short != word else None)
        if replacement is None:
            continue
        keep(done, match.start())
        put(replacement, match.span())
        done = match.end()
    keep(done, len(text))
    return Respelled("".join(pieces), tuple(sources), len(text))


def _indexed_deletes(word: str) -> Iterator[Tuple[int, str]]:
    """Each (position, word without the letter at that position)."""
    return ((i, word[:i] + word[i + 1 :]) for i in range(len(word)))


def read_word_lists(path: Path = VOCABULARY_PATH) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(known words of other languages, fillers) from `data/lexicon/vocabulaire.yml`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if str(data.get("version")) != LEXICON_VERSION:
        raise ValueError(f"{path}: version {LEXICON_VERSION!r} expected")
    known = frozenset(_LETTERS.findall(fold(data.get("known_words") or "")))
    fillers = frozenset(_LETTERS.findall(fold(data.get("fillers") or "")))
    return known, fillers


class Vocabulary:
    """The words a message must mostly be made of to be read, not taken for noise.

    `general` holds the words of the language (spelt right); `trained` the words of the
    training examples, which also match with one letter wrong, missing or added, because
    people misspell the words of their question ("actualistion"), not random words.
    """

    def __init__(
        self, general: Iterable[str], trained: Iterable[str], fillers: Iterable[str] = ()
    ) -> None:
        self.trained = frozenset(trained)
        self.words = frozenset(general) | self.trained
        self.fillers = frozenset(fillers)
        # Each trained word without one letter, and where that letter was.
        near: Dict[str, Set[int]] = {}
        for word in self.trained:
            if len(word) >= MIN_FUZZY_LENGTH:
                for position, shorter in _indexed_deletes(word):
                    near.setdefault(shorter, set()).add(position)
        self._near = near

    def knows(self, word: str) -> bool:
        if word in self.words or word in self.fillers:
            return True
        if len(word) < MIN_FUZZY_LENGTH:
            return False
        if word in self._near:  # one letter missing
            return True
        for position, shorter in _indexed_deletes(word):
            if shorter in self.trained:  # one letter added
                return True
            # One letter changed (the same place), or two neighbours swapped. Deletes at
            # places far apart would be two changes: "mokiti" is not "moitie".
            if any(abs(position - other) <= 1 for other in self._near.get(shorter, ())):
                return True
        return False

    def is_noise(self, text: str) -> bool:
        """True for keyboard mashes, repeated letters, random syllables and foreign scripts.

        `text` is folded and respelled. Numbers are never noise ("35"); single letters
        ("j" of "j'ai") are not counted; a message made only of fillers ("euh") is noise.
        """
        words = [w for w in _LETTERS.findall(text) if len(w) > 1]
        if not words:
            return not any(c.isdigit() for c in text)
        if all(word in self.fillers for word in words):
            return True
        if len(words) >= MIN_REPEATS_AS_NOISE and len(set(words)) == 1:
            return True
        known = sum(self.knows(word) for word in words)
        return known < MIN_KNOWN_SHARE * len(words)


__all__ = [
    "LEXICON_PATH",
    "VOCABULARY_PATH",
    "Respelled",
    "Vocabulary",
    "load_lexicon",
    "read_word_lists",
    "respell",
    "focus_on_end",
    "sound",
    "without_punctuation",
    "shorten_elongations",
]
