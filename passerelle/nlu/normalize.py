"""French text normalisation for intent classification (no Rasa import).

People write without accents, in SMS style, or dictate to a speech recogniser that
outputs lowercase text without punctuation. Classification sees one canonical form:
lowercase, no accents, straight apostrophes, no control characters, no emoji.

The mapping keeps the text length (one character in, one character out) so that the
entity offsets written in the training data stay valid.
"""

from __future__ import annotations

import unicodedata

# Longest text given to the classifier; longer messages are cut for parsing and the
# fallback action tells the person to write a shorter question.
MAX_PARSED_CHARS = 1000

_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"


def _fold_char(char: str) -> str:
    """Returns one character: lowercased, without accent, or a space if not text."""
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    category = unicodedata.category(char)
    if category[0] == "C" or category in {"So", "Sk", "Zl", "Zp", "Zs"}:
        # control characters, emoji and symbols, unusual spaces
        return " " if char not in "\n\t" else " "
    lowered = char.lower()
    if len(lowered) != 1:
        lowered = char
    decomposed = unicodedata.normalize("NFD", lowered)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if len(base) != 1:
        return lowered
    return base


def fold(text: str) -> str:
    """Lowercases and removes accents, emoji and control characters; keeps the length.

    >>> fold("J’ai oublié mon MOT de passe 😢")
    "j'ai oublie mon mot de passe  "
    """
    return "".join(_fold_char(c) for c in text)


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit."""
    return any(c.isalnum() for c in text)
