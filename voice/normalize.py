"""Speech normaliser: turns a bot message into plain French words a synthesiser reads well.

`normalize_for_speech` removes markup and emoji, and writes out what espeak-ng would read
badly: amounts in euros, phone numbers in pairs, dates, times, web addresses and keyboard
shortcuts. `choices_prompt` announces the buttons of a message ("Dites oui ou non.").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

from passerelle.calendar import MONTH_NAMES

logger = logging.getLogger(__name__)

UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
]
TENS = {
    2: "vingt",
    3: "trente",
    4: "quarante",
    5: "cinquante",
    6: "soixante",
    8: "quatre-vingt",
}
MONTHS = MONTH_NAMES
# Short service numbers that French people read in pairs ("trente-neuf quarante-neuf").
SERVICE_NUMBERS = {"3949", "3939", "3646", "3919", "3018", "3237", "3977"}
# Words of a web address read as words rather than letter by letter.
DOMAIN_WORDS = {
    "francetravail": "France Travail",
    "pole-emploi": "Pôle emploi",
    "cybermalveillance": "cybermalveillance",
    "service-public": "service public",
    "ameli": "améli",
    "gouv": "gouv",
    "candidat": "candidat",
    "www": "",
}
KEYS = {
    "ctrl": "Contrôle",
    "control": "Contrôle",
    "maj": "Majuscule",
    "shift": "Majuscule",
    "suppr": "Suppression",
    "del": "Suppression",
    "alt": "Alt",
    "altgr": "Alt Gr",
    "entrée": "Entrée",
    "entree": "Entrée",
    "échap": "Échappement",
    "echap": "Échappement",
    "esc": "Échappement",
    "tab": "Tabulation",
    "cmd": "Commande",
}
ABBREVIATIONS = [
    (r"\bn°\s*", "numéro "),
    (r"\bRDV\b", "rendez-vous"),
    (r"\brdv\b", "rendez-vous"),
    (r"\bex\s*:", "par exemple :"),
    (r"\bpar ex\.", "par exemple"),
    (r"\betc\.", "et cetera."),
    (r"\bSVP\b", "s'il vous plaît"),
    (r"\bTél\b\.?", "Téléphone"),
    (r"\bmin\b", "minutes"),
    (r"\bKo\b", "kilo-octets"),
    (r"\bMo\b", "méga-octets"),
]
FEMININE_NOUNS = "lettre|heure|fois|semaine|minute|seconde|personne|question|page|année|journée"
EMOJI_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn"}
ZERO_WIDTH = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}


def number_to_words(number: int) -> str:
    """Writes a whole number (0 to 999 999 999) in French words, 1990 spelling with hyphens."""
    if number < 0:
        return "moins " + number_to_words(-number)
    if number < 17:
        return UNITS[number]
    if number < 100:
        return _tens_to_words(number)
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        head = "cent" if hundreds == 1 else f"{UNITS[hundreds]} cent"
        if rest == 0:
            return head + ("s" if hundreds > 1 else "")
        return f"{head} {number_to_words(rest)}"
    if number < 1_000_000:
        thousands, rest = divmod(number, 1000)
        head = "mille" if thousands == 1 else f"{_strip_plural(number_to_words(thousands))} mille"
        return head if rest == 0 else f"{head} {number_to_words(rest)}"
    if number < 1_000_000_000:
        millions, rest = divmod(number, 1_000_000)
        head = f"{number_to_words(millions)} million" + ("s" if millions > 1 else "")
        return head if rest == 0 else f"{head} {number_to_words(rest)}"
    return " ".join(UNITS[int(digit)] for digit in str(number))


def ordinal_to_words(number: int) -> str:
    """French ordinal in words: 1 -> "premier", 2 -> "deuxième", 21 -> "vingt et unième"."""
    if number == 1:
        return "premier"
    words = number_to_words(number)
    if words.endswith("cinq"):
        return words + "uième"
    if words.endswith("neuf"):
        return words[:-1] + "vième"
    if words.endswith(("cents", "vingts")):
        words = words[:-1]
    if words.endswith("e"):
        words = words[:-1]
    return words + "ième"


def _strip_plural(words: str) -> str:
    """'deux cents' becomes 'deux cent' and 'quatre-vingts' 'quatre-vingt' before 'mille'."""
    return words[:-1] if words.endswith(("cents", "vingts")) else words


def _tens_to_words(number: int) -> str:
    tens, unit = divmod(number, 10)
    if tens == 1:
        return f"dix-{UNITS[unit]}"
    if tens in (7, 9):
        base = TENS[tens - 1]
        rest = 10 + unit
        if tens == 7 and unit == 1:
            return f"{base} et onze"
        return f"{base}-{UNITS[rest] if rest < 17 else _tens_to_words(rest)}"
    word = TENS[tens]
    if unit == 0:
        return word + ("s" if tens == 8 else "")
    if unit == 1 and tens != 8:
        return f"{word} et un"
    return f"{word}-{UNITS[unit]}"


def _strip_markup(text: str) -> str:
    text = re.sub(r"<((?:https?://|www\.)[^>\s]+)>", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|~~)(.+?)\1", r"\2", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(?:[-*•·▪►]|\d+[.)])\s+", "", text, flags=re.MULTILINE)
    text = text.replace("*", " ").replace("_", " ")
    return text


def _strip_emoji(text: str) -> str:
    kept = []
    for char in text:
        if char in ZERO_WIDTH:
            continue
        if unicodedata.category(char) in EMOJI_CATEGORIES and char not in "€$£°":
            continue
        kept.append(char)
    return "".join(kept)


def _speak_keys(match: re.Match[str]) -> str:
    names = [KEYS.get(part.strip().lower(), part.strip()) for part in match.group(0).split("+")]
    if len(names) == 1:
        return f"la touche {names[0]}"
    return "les touches " + ", ".join(names[:-1]) + f" et {names[-1]} en même temps"


def _speak_address(match: re.Match[str]) -> str:
    address = match.group(0)
    address = re.sub(r"^https?://", "", address, flags=re.IGNORECASE).rstrip("/.")
    host, _, path = address.partition("/")
    parts = []
    for label in host.lower().split("."):
        if label in DOMAIN_WORDS:
            if DOMAIN_WORDS[label]:
                parts.append(DOMAIN_WORDS[label])
        elif len(label) <= 3:
            parts.append(" ".join(label.upper()))
        else:
            parts.append(label.replace("-", " "))
    spoken = " point ".join(parts)
    if path:
        spoken += " barre oblique " + path.replace("/", " barre oblique ")
    return spoken


def _pairs(digits: str) -> str:
    if len(digits) % 2:
        head, digits = digits[0], digits[1:]
        words = [UNITS[int(head)]]
    else:
        words = []
    for index in range(0, len(digits), 2):
        pair = digits[index : index + 2]
        if pair[0] == "0":
            words.append(f"zéro {UNITS[int(pair[1])]}")
        else:
            words.append(number_to_words(int(pair)))
    return " ".join(words)


def _day_words(day: int) -> str:
    return "premier" if day == 1 else number_to_words(day)


def _date_words(day: int, month: int, year: int | None) -> str | None:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    words = f"{_day_words(day)} {MONTHS[month - 1]}"
    if year is not None:
        if year < 100:
            year += 2000
        words += f" {number_to_words(year)}"
    return words


def _speak_date(match: re.Match[str]) -> str:
    day, month = int(match.group("d")), int(match.group("m"))
    year = match.group("y")
    words = _date_words(day, month, int(year) if year else None)
    return words if words is not None else match.group(0)


def _speak_iso_date(match: re.Match[str]) -> str:
    words = _date_words(int(match.group("d")), int(match.group("m")), int(match.group("y")))
    return words if words is not None else match.group(0)


def _speak_amount(match: re.Match[str]) -> str:
    whole = int(re.sub(r"[\s.\u202f\u00a0]", "", match.group("int")))
    cents_raw = match.group("dec")
    euros = "euro" if whole <= 1 else "euros"
    words = f"{number_to_words(whole)} {euros}"
    if cents_raw:
        cents = int(cents_raw.ljust(2, "0")[:2])
        if cents:
            words += f" {number_to_words(cents)}"
    return words


def _speak_time(match: re.Match[str]) -> str:
    hours = int(match.group("h"))
    minutes = match.group("min")
    if hours > 24 and minutes:
        return match.group(0)
    words = f"{number_to_words(hours)} heure" + ("s" if hours > 1 else "")
    if minutes and int(minutes):
        words += f" {number_to_words(int(minutes))}"
    return words


def _speak_decimal(match: re.Match[str]) -> str:
    whole, decimals = match.group(1), match.group(2)
    decimals_words = (
        " ".join(["zéro"] * (len(decimals) - len(decimals.lstrip("0"))))
        + " "
        + number_to_words(int(decimals))
        if decimals.strip("0")
        else "zéro"
    )
    return f"{number_to_words(int(whole))} virgule {decimals_words.strip()}"


def _speak_number(match: re.Match[str]) -> str:
    digits = re.sub(r"[\s\u202f\u00a0]", "", match.group(0))
    if len(digits) > 9:
        return _pairs(digits)
    return number_to_words(int(digits))


def normalize_for_speech(text: str) -> str:
    """Returns `text` as plain French words for a speech synthesiser.

    Markup and emoji are dropped; euros, phone numbers, dates, times, percentages,
    web addresses and keyboard shortcuts are written out; line breaks become sentence ends.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _strip_markup(text)
    text = _strip_emoji(text)
    # Web addresses, before the dots and slashes in them are touched.
    text = re.sub(
        r"(?:https?://)?(?:[\w-]+\.)+(?:fr|com|org|net|gouv|eu)\b(?:/[\w./-]*)?",
        _speak_address,
        text,
        flags=re.IGNORECASE,
    )
    # Keyboard shortcuts: "Ctrl + Maj + Suppr".
    key_names = "|".join(sorted((re.escape(key) for key in KEYS), key=len, reverse=True))
    text = re.sub(
        rf"\b(?:{key_names})\b(?:\s*\+\s*(?:\b(?:{key_names})\b|F\d{{1,2}}\b|\w\b))+",
        _speak_keys,
        text,
        flags=re.IGNORECASE,
    )
    # Phone numbers: 01 23 45 67 89, 01.23.45.67.89, 0123456789, +33 1 23 45 67 89.
    text = re.sub(
        r"\+33\s?(\d)(?:[\s.]?(\d{2})){4}\b",
        lambda m: "plus trente-trois " + _pairs(re.sub(r"\D", "", m.group(0))[2:]),
        text,
    )
    text = re.sub(
        r"\b0\d(?:[\s.]?\d{2}){4}\b",
        lambda m: _pairs(re.sub(r"\D", "", m.group(0))),
        text,
    )
    text = re.sub(
        r"\b(\d{4})\b",
        lambda m: _pairs(m.group(1)) if m.group(1) in SERVICE_NUMBERS else m.group(1),
        text,
    )
    # Dates: 28/03/2025, 28/03, 2025-03-28, "1er".
    text = re.sub(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b", _speak_iso_date, text)
    text = re.sub(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?\b", _speak_date, text)
    text = re.sub(
        r"\b1(?:er|ère|re)\b", lambda m: "premier" if m.group(0) == "1er" else "première", text
    )
    text = re.sub(r"\b(\d+)(?:ème|eme|e|è)\b", lambda m: ordinal_to_words(int(m.group(1))), text)
    # Amounts: "1 234,50 €", "12 euros", "€ 5".
    text = re.sub(
        r"(?P<int>\d{1,3}(?:[\s.\u202f\u00a0]\d{3})+|\d+)(?:,(?P<dec>\d{1,2}))?\s*(?:€|EUR\b)",
        _speak_amount,
        text,
    )
    text = re.sub(r"€\s*(?P<int>\d+)(?:,(?P<dec>\d{1,2}))?", _speak_amount, text)
    text = text.replace("€", " euros ")
    # Times: 14h30, 9 h, 14:30.
    text = re.sub(r"\b(?P<h>\d{1,2})\s?[hH](?:\s?(?P<min>\d{2}))?\b", _speak_time, text)
    text = re.sub(r"\b(?P<h>\d{1,2}):(?P<min>\d{2})\b", _speak_time, text)
    # Percentages and decimals.
    text = re.sub(r"(\d+(?:,\d+)?)\s?%", r"\1 pour cent", text)
    text = re.sub(r"\b(\d+),(\d+)\b", _speak_decimal, text)
    # Remaining numbers, grouped thousands included ("1 200"); "1" before a feminine noun.
    text = re.sub(rf"\b1 (?=(?:{FEMININE_NOUNS})\b)", "une ", text)
    text = re.sub(r"\b\d{1,3}(?:[\u202f\u00a0 ]\d{3})+\b|\b\d+\b", _speak_number, text)
    for pattern, replacement in ABBREVIATIONS:
        text = re.sub(pattern, replacement, text)
    text = text.replace("&", " et ").replace("+", " plus ")
    text = re.sub(r"\bet/ou\b", "et ou", text)
    # A bracketed aside or a dash between words is a pause, not a word.
    text = re.sub(r"\s*[(\[]\s*|\s*[)\]]|\s+[-–—]\s+", ", ", text)
    text = re.sub(r"[«»\"“”{}|#~^<>=\\/]", " ", text)
    # Line breaks end a sentence; repeated punctuation is read once.
    lines = [line.strip(" \t-") for line in text.splitlines()]
    sentences = []
    for line in lines:
        if not line:
            continue
        if line[-1] not in ".!?:;,":
            line += "."
        sentences.append(line)
    text = " ".join(sentences)
    text = re.sub(r"\.{2,}|…", ".", text)
    text = re.sub(r"([!?])[!?.]+", r"\1", text)
    text = re.sub(r"\s+([.,])", r"\1", text)
    text = re.sub(r"^[,\s]+|,(?=\s*[,.!?;:])", "", text)
    text = re.sub(r"(?<=\w)([!?;:])", r" \1", text)  # French spacing: "ça ?", "Attention !"
    text = re.sub(r"([.,!?;:])(?=\w)", r"\1 ", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip()


def choices_prompt(titles: Iterable[str]) -> str:
    """Announces button choices: ["Oui", "Non"] -> "Dites oui ou non."."""
    spoken = []
    for title in titles:
        words = normalize_for_speech(title).rstrip(".!?;: ")
        if words and words.lower() not in (w.lower() for w in spoken):
            spoken.append(words)
    if not spoken:
        return ""
    spoken = [words if words[1:2].isupper() else words[0].lower() + words[1:] for words in spoken]
    if len(spoken) == 1:
        return f"Dites {spoken[0]}."
    return "Dites " + ", ".join(spoken[:-1]) + f" ou {spoken[-1]}."


__all__ = ["choices_prompt", "normalize_for_speech", "number_to_words", "ordinal_to_words"]
