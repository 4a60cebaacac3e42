"""French text as people type or say it: one folding, words, and the yes/no forms.

People write without accents, in SMS style, with a phone's typographic apostrophe, or
dictate to a speech recogniser that outputs lowercase text without punctuation. Every
comparison of the person's words (NLU, form answers, kiosk commands, console search)
goes through `fold()` or `words()`, so "Oublié", "oublie" and "OUBLIE" are one word.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

# Longest text given to the classifier; longer messages are cut for parsing and the
# fallback action tells the person to write a shorter question.
MAX_PARSED_CHARS = 1000

APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
# Spaces people (and word processors) put inside numbers and words: "1 200", "1\u202f200".
UNUSUAL_SPACES = "\u00a0\u202f\u2007\u2009"


def _fold_char(char: str) -> str:
    """One character: lowercased, without accent, or a space if not text."""
    if char in APOSTROPHES:
        return "'"
    if char in DASHES:
        return "-"
    category = unicodedata.category(char)
    if category[0] == "C" or category in {"So", "Sk", "Zl", "Zp", "Zs"}:
        return " "  # control characters, emoji and symbols, unusual spaces
    lowered = char.lower()
    if len(lowered) != 1:
        lowered = char
    decomposed = unicodedata.normalize("NFD", lowered)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else lowered


def fold(text: str) -> str:
    """Lowercases and removes accents, emoji and control characters; keeps the length.

    Keeping the length (one character in, one out) keeps entity offsets valid.

    >>> fold("J’ai oublié mon MOT de passe 😢")
    "j'ai oublie mon mot de passe  "
    """
    return "".join(_fold_char(c) for c in text or "")


def words(text: str) -> str:
    """The folded words of `text`, punctuation and hyphens turned into single spaces.

    Apostrophes stay inside words ("j'ai"). "Rendez-vous !" -> "rendez vous".
    """
    spaced = re.sub(r"[^\w']+", " ", fold(text))
    return re.sub(r"\s+", " ", spaced.replace(" '", " ").replace("' ", "'")).strip(" '")


def unify_spaces(text: str) -> str:
    """Every kind of space a single ASCII space; typographic apostrophes and minus straight."""
    for space in UNUSUAL_SPACES:
        text = text.replace(space, " ")
    for apostrophe in APOSTROPHES:
        text = text.replace(apostrophe, "'")
    return re.sub(r"\s+", " ", text.replace("\u2212", "-")).strip()


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit."""
    return any(c.isalnum() for c in text or "")


# --- yes and no -----------------------------------------------------------------------

# Every way of saying yes or no that stands for the answer itself, as written.
YES_FORMS = (
    "oui", "ouais", "ouai", "ouii", "ok", "okay", "oki", "d'accord", "daccord", "dac", "si",
    "yes", "yep", "exact", "exactement", "absolument", "voilà", "bien sûr", "tout à fait",
    "c'est ça", "c'est correct", "c'est bon", "correct", "affirmatif", "évidemment", "bien",
    "oui oui",
)  # fmt: skip
NO_FORMS = (
    "non", "nan", "no", "nope", "pas du tout", "jamais", "aucun", "aucune", "rien",
    "négatif", "pas vraiment", "du tout", "non merci",
)  # fmt: skip
# The short forms a speech recogniser listens for when the kiosk asks a yes/no question.
SPOKEN_YES = (
    "oui", "ouais", "d'accord", "oui oui", "exactement", "c'est ça", "bien sûr", "tout à fait",
)  # fmt: skip
SPOKEN_NO = ("non", "nan", "non merci", "pas du tout", "pas vraiment")
# Sentences that say "no" about the question itself ("je n'ai pas travaillé").
_NEGATION = re.compile(r"\b(?:n'ai pas|n'etais pas|ne suis pas|ne touche pas|n'ai jamais)\b")


def _folded(forms: Iterable[str]) -> frozenset[str]:
    return frozenset(words(form) for form in forms)


YES_WORDS = _folded(YES_FORMS)
NO_WORDS = _folded(NO_FORMS)


def yes_or_no(text: str) -> Optional[bool]:
    """True for "oui", "ouais, c'est ça"; False for "non", "pas du tout"; else None."""
    said = words(text)
    if not said:
        return None
    tokens = said.split()
    for size in (3, 2, 1):
        start = " ".join(tokens[:size])
        if start in NO_WORDS or start.startswith("non "):
            return False
        if start in YES_WORDS:
            return True
    if _NEGATION.search(said):
        return False
    return None


__all__ = [
    "MAX_PARSED_CHARS",
    "NO_FORMS",
    "SPOKEN_NO",
    "SPOKEN_YES",
    "YES_FORMS",
    "fold",
    "has_words",
    "unify_spaces",
    "words",
    "yes_or_no",
]
