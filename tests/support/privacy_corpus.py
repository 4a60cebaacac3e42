"""The privacy corpora (`tests/privacy/*.yml`) and how a leak or an over-masking is seen.

Shared by the masker's tests (`tests/privacy/`) and `bench/privacy.py`. A leak is looked
for in every string of what was stored, three ways: as written, folded (lowercase, no
accents, NFKC, no spaces), and, for a secret made of digits, by its digits whatever
separates them. The kiosk sends spoken numbers as digits (`voice.asr.to_message`), so a
kiosk case's secret is also looked for once turned into digits.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Optional

import yaml

from passerelle.names import KIOSK_CHANNEL
from passerelle.privacy import MASK, mask_message, secret_expected
from passerelle.text import words
from voice.asr import to_message

CORPUS_DIR = Path(__file__).resolve().parents[1] / "privacy"
PRIVACY_CORPUS = CORPUS_DIR / "privacy_corpus.yml"
ORDINARY_CORPUS = CORPUS_DIR / "ordinary_corpus.yml"
DEV_CASES = CORPUS_DIR / "dev_cases.yml"
# Keys of a stored event whose values Rasa makes (ids, times, confidences), never a person.
ID_KEYS = frozenset(
    {"message_id", "sender_id", "model_id", "assistant_id", "timestamp", "confidence"}
)
MIN_DIGITS = 3  # a secret of fewer digits is looked for as written only


@dataclass(frozen=True)
class SecretCase:
    id: str
    kind: str
    channel: str
    messages: List[str]
    secrets: List[str]


@dataclass(frozen=True)
class OrdinaryCase:
    id: str
    channel: str
    text: str
    keep: List[str]


def load_secret_cases(path: Path = PRIVACY_CORPUS) -> List[SecretCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("cases") or data.get("secrets") or []
    return [
        SecretCase(c["id"], c["kind"], c["channel"], list(c["messages"]), list(c["secrets"]))
        for c in items
    ]


def load_ordinary_cases(path: Path = ORDINARY_CORPUS) -> List[OrdinaryCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("cases") or data.get("ordinary") or []
    return [OrdinaryCase(c["id"], c["channel"], c["text"], list(c["keep"])) for c in items]


def kiosk_message(text: str) -> str:
    """What the kiosk sends for what it heard: spoken numbers as digits (its own function)."""
    return to_message(text)


def fold(text: str) -> str:
    """NFKC, lowercase, no accents, no zero-width characters and no spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(
        c
        for c in text
        if not unicodedata.combining(c)
        and not c.isspace()
        and unicodedata.category(c) not in {"Cf", "Mn"}
    )


def _digit_runs(text: str) -> Iterator[str]:
    """The digits of every run of digits, whatever separates them inside the run."""
    normal = unicodedata.normalize("NFKC", text)
    for match in re.finditer(r"\d(?:[\d\s.\-\u00a0\u202f\u200b]*\d)?", normal):
        yield "".join(c for c in match.group() if c.isdigit())


def secret_forms(secret: str, channel: str) -> List[str]:
    """The written and folded forms of a secret; its digits form is checked apart."""
    forms = {fold(secret)}
    if channel == KIOSK_CHANNEL or any(w in words(secret).split() for w in ("un", "deux")):
        forms.add(fold(kiosk_message(secret)))
    return [form for form in forms if form]


def secret_digits(secret: str, channel: str) -> List[str]:
    found = []
    for text in {secret, kiosk_message(secret)}:
        digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
        letters = sum(c.isalpha() for c in unicodedata.normalize("NFKC", text))
        if len(digits) >= MIN_DIGITS and len(digits) >= letters:
            found.append(digits)
    return found


def strings_of(value: Any, key: Optional[str] = None) -> Iterator[str]:
    """Every string (keys included) in a stored event, ids made by Rasa left out."""
    if key in ID_KEYS:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield str(name)
            yield from strings_of(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item, key)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield repr(value)


def leaks(case: SecretCase, stored: Iterable[str]) -> List[str]:
    """The secrets of `case` found in `stored` strings (as written, folded, or by digits)."""
    texts = list(stored)
    folded = [fold(text) for text in texts]
    runs = [run for text in texts for run in _digit_runs(text)]
    found = []
    for secret in case.secrets:
        forms = secret_forms(secret, case.channel)
        digits = secret_digits(secret, case.channel)
        hit = any(_contains(f, form) for f in folded for form in forms) or any(
            d in run for d in digits for run in runs
        )
        if hit:
            found.append(secret)
    return found


def _contains(text: str, form: str) -> bool:
    """`form` in `text`; a short one must stand alone (a CVV in an id is no leak)."""
    if len(form) >= 5:
        return form in text
    return re.search(rf"(?<![0-9a-z]){re.escape(form)}(?![0-9a-z])", text) is not None


def over_masked(case: OrdinaryCase, stored_text: str, sent: str) -> bool:
    """True when the stored message lost something: a mask, or a kept fragment missing."""
    if MASK in stored_text:
        return True
    seen = " ".join(stored_text.replace("\u00a0", " ").replace("\u202f", " ").split()).lower()
    for fragment in case.keep:
        wanted = " ".join(fragment.replace("\u00a0", " ").replace("\u202f", " ").split()).lower()
        if wanted not in seen and fold(wanted) not in fold(seen):
            if fold(kiosk_message(fragment)) in fold(seen):
                continue  # sent through the kiosk's path: in digits
            return True
    return stored_text != sent


def event_strings(rows: Iterable[str]) -> List[str]:
    """Every string of stored rows (the `data` column, JSON)."""
    found: List[str] = []
    for raw in rows:
        found.extend(strings_of(json.loads(raw)))
    return found


# --- the masker alone, as the store calls it (no classifier, no bot) -----------------


def mask_conversation(messages: List[str]) -> List[str]:
    """Masks each message as the store would, knowing only the person's previous one."""
    stored: List[str] = []
    previous: Optional[str] = None
    for text in messages:
        expected = secret_expected(previous, None, None)
        stored.append(mask_message(text, expected).text)
        previous = stored[-1]
    return stored


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


__all__ = [
    "OrdinaryCase",
    "SecretCase",
    "event_strings",
    "fold",
    "kiosk_message",
    "leaks",
    "load_ordinary_cases",
    "load_secret_cases",
    "mask_conversation",
    "over_masked",
    "strings_of",
]
