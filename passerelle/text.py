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


# Latin letters of other languages that have no accent to remove (Turkish "hayır", Polish
# "zło"): their plain letter, so that the lexicon's "hayir" matches.
_PLAIN_LETTERS = {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h"}


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
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    base = _PLAIN_LETTERS.get(base, base)
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


def one_edit_apart(first: str, second: str) -> bool:
    """True when one letter added, removed or changed turns `first` into `second`."""
    if abs(len(first) - len(second)) > 1 or first == second:
        return False
    if len(first) > len(second):
        first, second = second, first
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        if a != b:
            if len(first) == len(second):
                return first[index + 1 :] == second[index + 1 :]
            return first[index:] == second[index + 1 :]
    return True


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit."""
    return any(c.isalnum() for c in text or "")


# --- noise -----------------------------------------------------------------------------

# Rows of French (AZERTY) and English (QWERTY) keyboards: a run of 4 letters or more
# along one row is a keyboard mash ("qsdfgh", "azerty"), not a word.
KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")
KEYBOARD_RUN = 4
# A word of this many letters or more (repeats counted once) with no vowel is not French
# ("qsdfg"); SMS words are shorter ("ptdr", "qqch", "slt").
NO_VOWEL_LENGTH = 5
VOWELS = frozenset("aeiouy")
# One word said this many times in a row is a key held or pressed again ("ok ok ok ok").
REPEATED_WORD_TIMES = 4


def _is_noise_word(word: str) -> bool:
    """A mash: one letter held ("aaaaaa"), a keyboard row, or no vowel at all."""
    if any(c.isdigit() for c in word):
        return False
    letters = word.replace("'", "")
    collapsed = re.sub(r"(.)\1+", r"\1", letters)
    if len(letters) >= 3 and len(set(letters)) == 1:
        return True  # "aaaaaa", "zzzz"
    if len(letters) >= KEYBOARD_RUN and any(letters in row for row in KEYBOARD_ROWS):
        return True
    return len(collapsed) >= NO_VOWEL_LENGTH and not VOWELS & set(letters)


def is_noise(text: str) -> bool:
    """True when the message holds no word a person means: punctuation or emoji only,
    keyboard mashes ("qsdfgh", "aaaaaa"), or one word pressed again and again
    ("ok ok ok ok").

    Character statistics only: random syllables ("blorf zatu") look like words and are
    left to the NLU (its vocabulary check and `out_of_scope`).
    """
    said = words(text)
    if not said:
        return True
    tokens = said.split()
    if len(tokens) >= REPEATED_WORD_TIMES and len(set(tokens)) == 1:
        return True
    return all(_is_noise_word(token) for token in tokens)


# --- yes and no -----------------------------------------------------------------------

# Every way of saying yes or no that stands for the answer itself, as written.
YES_FORMS = (
    "oui", "ouais", "ouai", "ouii", "ok", "okay", "oki", "d'accord", "daccord", "dac", "si",
    "yes", "yep", "exact", "exactement", "absolument", "voilà", "bien sûr", "tout à fait",
    "c'est ça", "c'est correct", "c'est bon", "correct", "affirmatif", "évidemment", "bien",
    "oui oui", "ouep", "ouaip", "ouè", "yeah", "yup", "okey", "oké", "carrément", "ah oui",
    # The yes of the languages people here grew up with, said alone.
    "sí", "claro", "sim", "ja", "da", "tak", "evet", "naam", "aywa", "iyeh", "waaw",
)  # fmt: skip
NO_FORMS = (
    "non", "nan", "no", "nope", "pas du tout", "jamais", "aucun", "aucune", "rien",
    "négatif", "pas vraiment", "du tout", "non merci", "non non", "nan nan", "no no",
    "même pas", "pas ce mois", "que dalle", "nada",
    # Their no ("la" alone is left out: it starts many French sentences).
    "não", "nein", "niet", "nie", "hayır", "la la", "machi", "walo",
)  # fmt: skip
# The short forms a speech recogniser listens for when the kiosk asks a yes/no question.
SPOKEN_YES = (
    "oui", "ouais", "d'accord", "oui oui", "exactement", "c'est ça", "bien sûr", "tout à fait",
)  # fmt: skip
SPOKEN_NO = ("non", "nan", "non merci", "pas du tout", "pas vraiment")
# Sentences that say "no" about the question itself ("je n'ai pas travaillé").
_NEGATION = re.compile(
    r"\b(?:n'ai pas|n'etais pas|ne suis pas|ne touche pas|n'ai jamais|"
    r"(?:j'ai|jai|g) (?:pas|pa|jamais)|(?:j'etais|jetais) (?:pas|pa))\b"
)


# A long message that ends with its answer: "… alors la réponse c'est non".
_ENDING = re.compile(
    r"\b(?:c'est|alors|donc|bref|voila|reponse est)\s+"
    r"(?P<answer>oui|non|ok|d'accord|daccord|pas du tout|bien ca|bien cela)$"
)


def _folded(forms: Iterable[str]) -> frozenset[str]:
    return frozenset(words(form) for form in forms)


YES_WORDS = _folded(YES_FORMS)
NO_WORDS = _folded(NO_FORMS)


def yes_or_no(text: str) -> Optional[bool]:
    """True for "oui", "ouais, c'est ça"; False for "non", "pas du tout"; else None.

    Noise is neither ("ok ok ok ok", "aaaaaa"): see `is_noise`.
    """
    said = words(text)
    if not said or is_noise(said):
        return None
    # A letter held down still says yes or no: "ouiiii", "nonnn", "okkk".
    tokens = [
        token if token in YES_WORDS | NO_WORDS else re.sub(r"(.)\1{2,}", r"\1", token)
        for token in said.split()
    ]
    for size in (3, 2, 1):
        start = " ".join(tokens[:size])
        if start in NO_WORDS or start.startswith("non "):
            return False
        if start in YES_WORDS:
            # "absolument pas", "bien sûr que non": the yes word only strengthens a no.
            rest = tokens[size : size + 2]
            return not (rest[:1] == ["pas"] or rest == ["que", "non"])
    if _NEGATION.search(said):
        return False
    ending = _ENDING.search(said)
    if ending:
        return ending.group("answer") not in ("non", "pas du tout")
    return None


__all__ = [
    "MAX_PARSED_CHARS",
    "NO_FORMS",
    "SPOKEN_NO",
    "SPOKEN_YES",
    "YES_FORMS",
    "fold",
    "has_words",
    "is_noise",
    "one_edit_apart",
    "unify_spaces",
    "words",
    "yes_or_no",
]
