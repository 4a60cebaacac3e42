"""What must never be stored: masking of secrets in what people write.

Job seekers sometimes type their password, their France Travail identifier, a bank
card number, an IBAN or a social security number. Nothing of it may reach the
conversation store. `mask_text` replaces each secret with MASK; the masking tracker
store applies it to every event before writing.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, List, Tuple

MASK = "[masqué]"

_SEP = r"[ .\-]?"
# France Travail identifier: 7 digits and 1 letter ("1234567A", "1234567 a").
IDENTIFIER = re.compile(r"(?<![\w])\d{7} ?[a-zA-Z](?![\w])")
# Social security number (NIR): 13 digits and an optional 2-digit key, 2A/2B for Corsica.
NIR = re.compile(
    rf"(?<![\w])[12]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AaBb]){_SEP}\d{{3}}{_SEP}\d{{3}}"
    rf"(?:{_SEP}\d{{2}})?(?![\w])"
)
# Bank card: 13 to 19 digits, possibly in groups separated by spaces or dashes.
CARD = re.compile(r"(?<![\w])(?:\d[ \-]?){12,18}\d(?![\w])")
# IBAN: country code, 2 check digits, then 11 to 30 letters or digits, possibly grouped by 4.
IBAN = re.compile(
    r"(?<![\w])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?(?![\w])"
)

# "mot de passe c'est X", "mdp: X", "mon code est X", "identifiant = X"...
# Words that announce a secret (not a secret themselves).
_KEYWORDS = (
    r"mots? de passe|mots?-de-passe|mdp|passwords?|pass(?:e)?|codes? secrets?|"
    r"codes? confidentiels?|codes? pin|codes?|pin|identifiants?|login|"
    r"noms? d'utilisateur|nom d utilisateur"
)
_CONNECTORS = (
    r"(?:\s*(?:c'est|c est|cest|ce sont|est|sont|c|était|etait|sera|reste|égal|egal|"
    r"égale|egale|:|=|->|→)\s*|\s+)"
)
SECRET_AFTER_KEYWORD = re.compile(
    rf"(?P<keyword>\b(?:{_KEYWORDS}))(?P<connector>{_CONNECTORS})"
    r"(?P<quote>[\"'«“]?\s*)(?P<secret>[^\s\"»”]+)",
    re.IGNORECASE,
)
# Words that follow "mot de passe" without being one ("mot de passe oublié").
NOT_A_SECRET = {
    "oublié",
    "oublie",
    "oublier",
    "oubliés",
    "perdu",
    "perdue",
    "bloqué",
    "bloque",
    "faux",
    "fausse",
    "incorrect",
    "invalide",
    "expiré",
    "expire",
    "marche",
    "fonctionne",
    "ne",
    "n'",
    "pas",
    "plus",
    "de",
    "du",
    "des",
    "pour",
    "sur",
    "et",
    "ou",
    "qui",
    "que",
    "quoi",
    "je",
    "j'ai",
    "il",
    "elle",
    "mon",
    "ma",
    "mes",
    "le",
    "la",
    "les",
    "un",
    "une",
    "à",
    "a",
    "au",
    "aux",
    "dans",
    "par",
    "avec",
    "sans",
    "svp",
    "stp",
    "?",
    "!",
    ".",
    ",",
    "temporaire",
    "provisoire",
    "nouveau",
    "nouvel",
    "nouvelle",
    "actuel",
    "changer",
    "modifier",
    "créer",
    "mettre",
    "personnel",
    "postal",
    "confidentiel",
    "secret",
    "oui",
    "non",
    "trop",
    "bien",
    "mal",
    "valide",
    "correct",
    "envoyé",
    "reçu",
    "recu",
    "demande",
    "demandé",
    "france",
    "pôle",
    "pole",
    "travail",
    "emploi",
    "ft",
    "pe",
    "d'utilisateur",
}
# A token that looks like a password: letters and digits mixed, or with a symbol, 6+ chars.
PASSWORD_LIKE = re.compile(r"(?<!\S)(?=\S*[A-Za-zÀ-ÿ])(?=\S*(?:\d|[^\w\s]))[^\s]{6,}(?!\S)")
_TRAILING_PUNCT = ".,;!?)"


def _looks_secret(token: str, explicit: bool) -> bool:
    word = token.strip(_TRAILING_PUNCT).lower()
    if not word or word in NOT_A_SECRET:
        return False
    if explicit:
        return True
    return any(c.isdigit() for c in word) or (token != token.lower() and token != token.upper())


def secret_spans(text: str, aggressive: bool = False) -> List[Tuple[int, int]]:
    """Character spans of secrets in `text`, merged and sorted.

    `aggressive` also masks any password-like token (used when the person is
    known to be giving credentials).
    """
    spans: List[Tuple[int, int]] = []
    for pattern in (IBAN, NIR, CARD, IDENTIFIER):
        spans.extend(m.span() for m in pattern.finditer(text))
    for match in SECRET_AFTER_KEYWORD.finditer(text):
        connector = match.group("connector")
        explicit = bool(connector.strip()) or bool(match.group("quote").strip())
        secret = match.group("secret")
        if _looks_secret(secret, explicit):
            # The whole token goes, trailing punctuation included: it may be part of it.
            spans.append(match.span("secret"))
    if aggressive:
        spans.extend(m.span() for m in PASSWORD_LIKE.finditer(text))
    return _merge(spans)


def _merge(spans: Iterable[Tuple[int, int]]) -> List[Tuple[int, int]]:
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_text(text: str, aggressive: bool = False) -> str:
    """`text` with every secret replaced by MASK."""
    if not text:
        return text
    spans = secret_spans(text, aggressive)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_value(value: Any, aggressive: bool = False) -> Any:
    """Masks every string inside a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        return mask_text(value, aggressive)
    if isinstance(value, dict):
        return {key: mask_value(item, aggressive) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_value(item, aggressive) for item in value]
    return value
