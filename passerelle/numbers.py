"""French numbers, hours and euro amounts as people type or say them.

`parse_hours("trente-cinq heures et demie")` gives 35.5 and `parse_amount("1 200,50 €")`
gives 1200.5. Number words go through text2num (`alpha2digit`). A negative number
("moins cinq", "-5") comes back negative so that the caller can refuse it with a clear
message; text that holds no number, or several numbers with no way to choose
("entre 20 et 30"), gives None. The action server reads answers with it; the kiosk turns
spoken numbers into digits with `normalize`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Optional

from text_to_num import alpha2digit

from passerelle.calendar import DAY, WEEK
from passerelle.text import fold, unify_spaces

logger = logging.getLogger(__name__)

LANGUAGE = "fr"
# Words that only soften a number: "environ 950" is 950.
APPROXIMATION_WORDS = (
    "environ",
    "à peu près",
    "a peu pres",
    "a peu près",
    "à peu pres",
    "presque",
    "pas loin de",
    "dans les",
    "autour de",
    "approximativement",
)
# Words that make a number too vague to record ("moins de 20 heures").
VAGUE_PATTERN = re.compile(r"\b(?:moins de|plus de|au moins|au plus|entre)\s+\d")
# Fractions spoken after a number of hours or euros.
FRACTIONS = {
    "et demie": 0.5,
    "et demi": 0.5,
    "et quart": 0.25,
    "et trois quarts": 0.75,
    "et 3 quarts": 0.75,
    "3 quarts": 0.75,
    "trois quarts": 0.75,
}
HOUR_UNIT = r"(?:h|hr|hrs|heures?)"
EURO_UNIT = r"(?:€|eur|euros?|e)"
# Small number words text2num leaves alone when they stand by themselves.
SMALL_WORDS = {"zéro": "0", "zero": "0", "un": "1", "une": "1", "aucune": "0", "aucun": "0"}
# One number: "1 200,50", "1.200", "35,5", "35.5", "-5".
NUMBER = r"(?:\d{1,3}(?:[ .]\d{3})+(?![\d])|\d+)(?:[.,]\d+)?"
NUMBER_RE = re.compile(rf"(?P<sign>-\s*|moins\s+)?(?P<num>{NUMBER})")
HOURS_MINUTES_RE = re.compile(
    rf"(?P<sign>-\s*|moins\s+)?(?P<h>\d+)\s*{HOUR_UNIT}\s*(?:et\s+)?(?P<m>\d{{1,2}})(?!\s*quarts?)"
    r"(?:\s*(?:min|mn|minutes?))?\b"
)
EUROS_CENTS_RE = re.compile(
    rf"(?P<sign>-\s*|moins\s+)?(?P<e>{NUMBER})\s*{EURO_UNIT}\s*(?:et\s+|virgule\s+)?"
    r"(?P<c>\d{1,2})(?:\s*(?:centimes?|cts?))?\b"
)
# "1,530 euros": a comma before exactly three digits groups thousands (English writing,
# which Whisper uses), since an amount in euros has at most two decimals.
THOUSANDS_COMMA_RE = re.compile(r"(?<![\d.,])(\d{1,3}),(\d{3})(?!\d|[.,]\d)")


def normalize(text: str) -> str:
    """Lowercases `text`, unifies spaces and apostrophes, and turns number words into digits."""
    text = unify_spaces(unicodedata.normalize("NFC", text or "").lower())
    if not text:
        return ""
    text = alpha2digit(text, LANGUAGE)
    # text2num leaves "un", "une", "zéro" alone when they stand by themselves; never the
    # end of a word ("quelqu'un", "d'aucun").
    text = re.sub(
        rf"(?<!['-])\b({'|'.join(SMALL_WORDS)})\b(?=\s*(?:{HOUR_UNIT}|{EURO_UNIT})\b|\s*$)",
        lambda match: SMALL_WORDS[match.group(1)],
        text,
    )
    if text in SMALL_WORDS:
        text = SMALL_WORDS[text]
    return text


def _to_float(raw: str) -> float:
    """Reads one matched number ("1 200,50", "1.200", "35.5") as a float."""
    raw = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        raw = raw.replace(".", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", raw):
        raw = raw.replace(".", "")
    return float(raw.replace(",", "."))


def _signed(sign: Optional[str], value: float) -> float:
    return -value if sign else value


def _fraction_after(text: str, end: int) -> float:
    """The fraction spoken right after position `end` ("et demie" -> 0.5), else 0."""
    rest = text[end:].lstrip()
    rest = re.sub(rf"^(?:{HOUR_UNIT}|{EURO_UNIT})\b\s*", "", rest)
    for words, value in FRACTIONS.items():
        if rest.startswith(words):
            return value
    return 0.0


def _strip_approximations(text: str) -> str:
    for word in APPROXIMATION_WORDS:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _numbers(text: str) -> list[tuple[float, int, int]]:
    """Every number in normalized `text` with its span, fractions added."""
    found = []
    for match in NUMBER_RE.finditer(text):
        if re.match(r"\s*quarts?\b", text[match.end() :]):
            continue  # "3 quarts" is the fraction of the number before it
        value = _to_float(match.group("num")) + _fraction_after(text, match.end())
        found.append((_signed(match.group("sign"), value), match.start(), match.end()))
    return found


def _parse(text: str, unit: str) -> Optional[float]:
    """Shared parser: the number attached to `unit`, or the only number in the text."""
    text = normalize(text)
    if not text or VAGUE_PATTERN.search(text):
        return None
    text = _strip_approximations(text)
    numbers = _numbers(text)
    if not numbers:
        return None
    with_unit = [
        value
        for value, _start, end in numbers
        if re.match(rf"\s*{unit}(?![a-z])", text[end:])
        or re.search(rf"{unit}\s*(?:-\s*|moins\s+)?$", text[:_start])
    ]
    if len(with_unit) == 1:
        return with_unit[0]
    if len(numbers) == 1:
        return numbers[0][0]
    logger.debug("Several numbers, none clearly in the unit asked: %s", text)
    return None


def parse_hours(text: str) -> Optional[float]:
    """Hours in `text`: "35", "35h", "12h30", "trente-cinq heures", "12 heures et demie"."""
    normalized = _strip_approximations(normalize(text))
    match = HOURS_MINUTES_RE.search(normalized)
    if match and int(match.group("m")) < 60 and not VAGUE_PATTERN.search(normalized):
        others = NUMBER_RE.findall(normalized[: match.start()] + normalized[match.end() :])
        if not others:
            value = int(match.group("h")) + int(match.group("m")) / 60
            return round(_signed(match.group("sign"), value), 2)
    return _parse(text, HOUR_UNIT)


# Hours given for a week or a day, not for the month ("35h par semaine", "7h/jour").
# Checked on `words()`-like folded text; "par mois" anywhere means the month.
PER_WEEK_RE = re.compile(
    r"(?:\bpar|\bchaque|\bla|\bune?|/|\dh|\bh|heures?)\s*(?:semaines?|sem)\b|"
    r"\bhebdo(?:madaires?)?\b|"
    r"\btoutes les semaines\b"
)
PER_DAY_RE = re.compile(
    r"(?:\bpar|\bchaque|/)\s*(?:jours?|jr|j)\b|\btous les jours\b|\bla journee\b|"
    r"\bpar journee\b|\bquotidien(?:nes?)?\b"
)
PER_MONTH_RE = re.compile(r"\bmois\b|\bmensuel")


def hours_unit(text: str) -> Optional[str]:
    """ "semaine" or "jour" when hours are given per week or per day, else None (month)."""
    said = fold(text)
    if PER_MONTH_RE.search(said):
        return None
    if PER_WEEK_RE.search(said):
        return WEEK
    if PER_DAY_RE.search(said):
        return DAY
    return None


def parse_amount(text: str) -> Optional[float]:
    """Euros in `text`: "1 200,50 €", "mille deux cents euros", "environ 950", "950 € 50"."""
    text = THOUSANDS_COMMA_RE.sub(r"\1\2", normalize(text))
    normalized = _strip_approximations(text)
    match = EUROS_CENTS_RE.search(normalized)
    if match and not VAGUE_PATTERN.search(normalized):
        others = NUMBER_RE.findall(normalized[: match.start()] + normalized[match.end() :])
        if not others:
            cents = match.group("c")
            value = _to_float(match.group("e")) + int(cents) / (10 ** len(cents))
            return round(_signed(match.group("sign"), value), 2)
    return _parse(text, EURO_UNIT)


def parse_number(text: str) -> Optional[float]:
    """The only number in `text` (words or digits), or None."""
    return _parse(text, r"(?!)")


def format_number(value: float) -> str:
    """French writing of a number: 1200 -> "1 200", 12.5 -> "12,5", 12.25 -> "12,25"."""
    whole, _, decimals = f"{abs(value):.2f}".partition(".")
    decimals = decimals.rstrip("0")
    sign = "-" if value < 0 else ""
    return sign + f"{int(whole):,}".replace(",", " ") + (f",{decimals}" if decimals else "")


def format_hours(value: float) -> str:
    """ "35 heures", "1 heure", "12,5 heures"."""
    return f"{format_number(value)} heure" + ("s" if value >= 2 else "")


def format_euros(value: float) -> str:
    """ "1 200 €", "1 200,50 €", "950,25 €"."""
    if float(value).is_integer():
        return f"{format_number(value)} €"
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + f",{cents} €"


__all__ = [
    "format_euros",
    "format_hours",
    "format_number",
    "hours_unit",
    "normalize",
    "parse_amount",
    "parse_hours",
    "parse_number",
]
