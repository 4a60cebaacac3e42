"""The short conversation code a person gives at the desk ("K7M-4QR").

It is random (never derived from a conversation id or an identifier), set once per
session by the action server (`actions/session.py`, slot `CODE_SLOT`) and kept with the
conversation, so it expires when the conversation is purged. The widget shows it, the
kiosk says it, the console finds the conversation by it.

Its alphabet is made to be read aloud and heard at a desk: no 0/O, 1/I/L, no letters
whose French names rhyme (B, C, D, G, P, T, V all end in "é"; M and N, S and F sound
alike). Six characters, shown in two groups of three: 18^6 = 34 million codes. It never
has the shape of a France Travail identifier (7 digits and 1 letter).
"""

from __future__ import annotations

import re
import secrets
from typing import Optional

CODE_SLOT = "conversation_code"
ALPHABET = "23456789HJKMQRWXYZ"
LENGTH = 6
GROUP = 3
SEPARATOR = "-"
# French names of the letters, said one by one at the kiosk.
LETTER_NAMES = {
    "H": "ache",
    "J": "ji",
    "K": "ka",
    "M": "emme",
    "Q": "ku",
    "R": "erre",
    "W": "double vé",
    "X": "iks",
    "Y": "i grec",
    "Z": "zède",
}
# A code as written in a text: two groups of three, dash or space between, any case.
_SIGNS = f"[{ALPHABET}]"
CODE_IN_TEXT = re.compile(
    rf"(?<![\w-])({_SIGNS}{{{GROUP}}})[{SEPARATOR} ]?({_SIGNS}{{{LENGTH - GROUP}}})(?![\w-])",
    re.IGNORECASE,
)


def new_code() -> str:
    """A fresh random code, written "K7M-4QR"."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return shown(raw)


def shown(raw: str) -> str:
    """ "K7M4QR" -> "K7M-4QR"."""
    return raw[:GROUP] + SEPARATOR + raw[GROUP:]


def normalized(text: str) -> Optional[str]:
    """The code typed by a counsellor ("k7m 4qp", "K7M-4QR"), as stored ("K7M4QR"); None
    when `text` is not a code."""
    compact = re.sub(r"[\s\-.]", "", text or "").upper()
    if len(compact) != LENGTH or any(char not in ALPHABET for char in compact):
        return None
    return compact


def spoken(code: str) -> str:
    """The code as the kiosk says it: "ka, 7, emme, puis 4, ku, 8"."""
    compact = normalized(code) or code

    def say(chars: str) -> str:
        return ", ".join(LETTER_NAMES.get(char, char) for char in chars)

    return f"{say(compact[:GROUP])}, puis {say(compact[GROUP:])}"


def spoken_codes(text: str) -> str:
    """`text` with every code in it written to be said aloud."""
    return CODE_IN_TEXT.sub(lambda match: spoken(match.group(1) + match.group(2)), text)


__all__ = [
    "ALPHABET",
    "CODE_SLOT",
    "LENGTH",
    "new_code",
    "normalized",
    "shown",
    "spoken",
    "spoken_codes",
]
