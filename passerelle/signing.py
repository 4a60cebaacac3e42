"""Signatures made with the secret key: widget session proofs and "Écouter" tokens.

Rasa's widget channel signs; Rasa (session proofs) and the widget's web app (speech tokens)
check. Both processes hold `PASSERELLE_SECRET_KEY`. Each use derives its own key from it, so
a signature made for one purpose is worth nothing for another.

- A widget session id (`web-` and 32 random hex digits) is issued by the server with its
  signature, an HMAC of the id. A socket that later presents the id must present the
  signature too: knowing an id (a counsellor does, a log line might) is not enough to
  join or write to its conversation.
- Each bot message sent to the widget carries a speech token: an HMAC of the text and its
  expiry time. The web app reads aloud only a text with a valid, unexpired token, that is
  a text the assistant itself said in the last hour.
- A name typed in the console's login form is kept (for throttling) only as an HMAC
  (`name_digest`): a password typed in the name field is never stored, and without the key
  nobody can test guesses against the stored digests.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Optional

# How long "Écouter" works on a bot message after it was said.
SPEECH_TOKEN_SECONDS = 3600
SESSION_PURPOSE = "widget-session"
SPEECH_PURPOSE = "speech"
LOGIN_NAME_PURPOSE = "console-login-name"
_DIGEST_CHARS = 64  # hex SHA-256
_MAX_EXPIRY_DIGITS = 12


def _mac(secret_key: str, purpose: str, message: str) -> str:
    key = hmac.new(secret_key.encode(), b"passerelle:" + purpose.encode(), hashlib.sha256)
    # surrogatepass: a text from a JSON body may hold a lone surrogate; it must not crash.
    data = message.encode("utf-8", "surrogatepass")
    return hmac.new(key.digest(), data, hashlib.sha256).hexdigest()


def session_signature(secret_key: str, session_id: str) -> str:
    """The proof that the server issued `session_id`."""
    return _mac(secret_key, SESSION_PURPOSE, session_id)


def session_signature_valid(secret_key: str, session_id: Any, signature: Any) -> bool:
    """True when `signature` proves `session_id` (constant-time comparison)."""
    if not isinstance(session_id, str) or not isinstance(signature, str):
        return False
    if len(signature) != _DIGEST_CHARS:
        return False
    return hmac.compare_digest(signature, session_signature(secret_key, session_id))


def speech_token(secret_key: str, text: str, now: Optional[float] = None) -> str:
    """A token that lets the web app read `text` aloud for `SPEECH_TOKEN_SECONDS`."""
    expires = int((time.time() if now is None else now) + SPEECH_TOKEN_SECONDS)
    return f"{expires}.{_mac(secret_key, SPEECH_PURPOSE, f'{expires}:{text}')}"


def speech_token_valid(secret_key: str, text: str, token: Any, now: Optional[float] = None) -> bool:
    """True when `token` was made for exactly `text` and has not expired."""
    if not isinstance(token, str):
        return False
    expires_raw, _, mac = token.partition(".")
    if not expires_raw.isdigit() or len(expires_raw) > _MAX_EXPIRY_DIGITS:
        return False
    if len(mac) != _DIGEST_CHARS:
        return False
    now = time.time() if now is None else now
    if int(expires_raw) < now:
        return False
    expected = _mac(secret_key, SPEECH_PURPOSE, f"{expires_raw}:{text}")
    return hmac.compare_digest(mac, expected)


def name_digest(secret_key: str, name: str) -> str:
    """The keyed digest (64 hex digits) under which a typed login name is kept."""
    return _mac(secret_key, LOGIN_NAME_PURPOSE, name)


__all__ = [
    "SPEECH_TOKEN_SECONDS",
    "name_digest",
    "session_signature",
    "session_signature_valid",
    "speech_token",
    "speech_token_valid",
]
