"""Checks every channel applies to what a caller sends: text, conversation ids, metadata.

- Text: control characters go (line breaks and tabs stay), and so do the invisible
  characters that reorder or hide text (bidi overrides and isolates, zero-width spaces):
  they could make a message or a log line read differently from what it is.
- Conversation ids given by REST callers: a short run of safe characters, checked with
  `fullmatch` (a `$` would let "id\\n" through).
- Metadata: a JSON object of at most `MAX_METADATA_BYTES`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Optional

MAX_SENDER_CHARS = 128
SENDER_PATTERN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:@-]{{0,{MAX_SENDER_CHARS - 1}}}")
MAX_METADATA_BYTES = 4096
# Invisible characters that change how text is shown: bidi marks, embeddings, overrides
# and isolates, zero-width space, word joiner, byte order mark, line/paragraph separators.
# Zero-width (non-)joiners stay: some scripts need them.
INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
LINE_SEPARATORS = {"\u2028": "\n", "\u2029": "\n", "\r": ""}

SENDER_RULE = (
    f"« sender » doit être un identifiant court (au plus {MAX_SENDER_CHARS} signes) : "
    "lettres sans accent, chiffres, point, tiret, tiret bas, deux-points ou @."
)
METADATA_NOT_OBJECT = "« metadata » doit être un objet JSON."
METADATA_TOO_BIG = (
    f"« metadata » est trop gros : {MAX_METADATA_BYTES // 1024} Ko au plus. "
    "Envoyez moins d'informations avec le message."
)


def clean_text(text: str) -> str:
    """Composes accents, removes control and invisible characters (keeps line breaks, tabs)."""
    text = unicodedata.normalize("NFC", text)
    kept = []
    for char in text:
        char = LINE_SEPARATORS.get(char, char)
        if not char or char in INVISIBLE:
            continue
        if char in "\n\t" or unicodedata.category(char) != "Cc":
            kept.append(char)
    return "".join(kept)


def valid_sender(sender: Any) -> bool:
    """True for a conversation id made of safe characters only."""
    return isinstance(sender, str) and SENDER_PATTERN.fullmatch(sender) is not None


def metadata_size(metadata: Any) -> int:
    """Bytes of `metadata` as compact JSON."""
    return len(json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode())


def metadata_problem(metadata: Any) -> Optional[tuple[int, str]]:
    """(HTTP status, French message) when the metadata cannot be kept, else None."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        return 400, METADATA_NOT_OBJECT
    if metadata_size(metadata) > MAX_METADATA_BYTES:
        return 413, METADATA_TOO_BIG
    return None


__all__ = [
    "MAX_METADATA_BYTES",
    "MAX_SENDER_CHARS",
    "METADATA_TOO_BIG",
    "SENDER_RULE",
    "clean_text",
    "metadata_problem",
    "valid_sender",
]
