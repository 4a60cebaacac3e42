"""The printable summary's token: the period and the answers, carried in the link itself.

`make_summary_token` is called by the action server when a rehearsal is confirmed;
`read_summary_token` by the widget's web app (`/resume/<token>`). Nothing is stored on
the server. `summary_url` builds the link from the widget's public URL (`PUBLIC_URL`),
never from its bind address.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from passerelle.actualisation import SUMMARY_SLOTS

logger = logging.getLogger(__name__)

SUMMARY_SALT = "resume"
SUMMARY_MAX_AGE_SECONDS = 7 * 24 * 3600
SUMMARY_PATH = "/resume/"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SUMMARY_SALT)


def make_summary_token(secret_key: str, start: str, end: str, answers: Mapping[str, Any]) -> str:
    """A signed, URL-safe token carrying the period and the answers."""
    payload = {
        "start": start,
        "end": end,
        "answers": {slot: answers.get(slot) for slot in SUMMARY_SLOTS},
    }
    return _serializer(secret_key).dumps(payload)


def read_summary_token(
    secret_key: str, token: str, max_age: int = SUMMARY_MAX_AGE_SECONDS
) -> Optional[dict[str, Any]]:
    """The payload of a token, or None when it is forged, damaged or expired."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        logger.info("Expired summary token")
        return None
    except BadSignature:
        logger.info("Invalid summary token")
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return None
    return payload


def summary_url(public_url: str, token: str) -> str:
    """The link shown to the person: the widget's public URL, then `/resume/<token>`."""
    return f"{public_url.rstrip('/')}{SUMMARY_PATH}{token}"


__all__ = ["make_summary_token", "read_summary_token", "summary_url"]
