"""The printable summary's token: the period and the answers, encrypted in the link itself.

`make_summary_token` is called by the action server when a rehearsal is confirmed;
`read_summary_token` by the widget's web app (`/resume/<token>`). Nothing is stored on
the server. `summary_url` builds the link from the widget's public URL (`PUBLIC_URL`),
never from its bind address.

The token is a Fernet token (AES-128-CBC and HMAC-SHA256, from `cryptography`): without
the key, nobody reads the hours, the salary or the dates it carries, whether it is found
in a browser's history, in the conversation store or in the widget's sessionStorage. Its
key is derived from `PASSERELLE_SECRET_KEY` for this purpose only (HKDF), so no other
signature of Passerelle can open it. It works `SUMMARY_LINK_HOURS` hours (48 at most,
`passerelle/config.py`), counted from the time written inside it under the encryption's
seal. The base64 padding ("=") is left out: the token is letters, digits, "-" and "_".
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any, Mapping, Optional

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from passerelle.actualisation import SUMMARY_SLOTS
from passerelle.config import SUMMARY_LINK_HOURS_DEFAULT, SUMMARY_LINK_HOURS_MAX

logger = logging.getLogger(__name__)

SUMMARY_KEY_INFO = b"passerelle:printable-summary"
SECONDS_PER_HOUR = 3600
SUMMARY_PATH = "/resume/"
# Far longer than any real token (about 600 characters); longer ones are not even decoded.
MAX_TOKEN_CHARS = 4096


def _fernet(secret_key: str) -> Fernet:
    """The summary's own Fernet key, derived from the secret key."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SUMMARY_KEY_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def make_summary_token(
    secret_key: str,
    start: str,
    end: str,
    answers: Mapping[str, Any],
    now: Optional[int] = None,
) -> str:
    """An encrypted, URL-safe token carrying the period and the answers."""
    payload = {
        "start": start,
        "end": end,
        "answers": {slot: answers.get(slot) for slot in SUMMARY_SLOTS},
    }
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    fernet = _fernet(secret_key)
    token = fernet.encrypt(data) if now is None else fernet.encrypt_at_time(data, now)
    return token.decode("ascii").rstrip("=")


def read_summary_token(
    secret_key: str,
    token: str,
    hours: int = SUMMARY_LINK_HOURS_DEFAULT,
    now: Optional[int] = None,
) -> Optional[dict[str, Any]]:
    """The payload of a token, or None when it is forged, damaged or older than `hours`."""
    if not token or len(token) > MAX_TOKEN_CHARS or not secret_key:
        return None
    ttl = min(hours, SUMMARY_LINK_HOURS_MAX) * SECONDS_PER_HOUR
    padded = token + "=" * (-len(token) % 4)
    fernet = _fernet(secret_key)
    try:
        raw = (
            fernet.decrypt(padded, ttl=ttl)
            if now is None
            else fernet.decrypt_at_time(padded, ttl=ttl, current_time=now)
        )
        payload = json.loads(raw)
    except (InvalidToken, binascii.Error, ValueError, UnicodeDecodeError):
        # Fernet says no more than "invalid", expired or not: both get the same page.
        logger.info("Invalid or expired summary token")
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return None
    return payload


def summary_url(public_url: str, token: str) -> str:
    """The link shown to the person: the widget's public URL, then `/resume/<token>`."""
    return f"{public_url.rstrip('/')}{SUMMARY_PATH}{token}"


__all__ = ["SUMMARY_PATH", "make_summary_token", "read_summary_token", "summary_url"]
