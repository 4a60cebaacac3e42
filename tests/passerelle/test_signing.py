"""Session proofs and speech tokens: made with the secret key, worthless without it."""

from __future__ import annotations

import time

import pytest

from passerelle.signing import (
    SPEECH_TOKEN_SECONDS,
    session_signature,
    session_signature_valid,
    speech_token,
    speech_token_valid,
)

KEY = "clé-de-test"
SESSION = "web-" + "0123456789abcdef" * 2


def test_a_session_signature_proves_its_id_only() -> None:
    signature = session_signature(KEY, SESSION)
    assert session_signature_valid(KEY, SESSION, signature)
    assert not session_signature_valid("autre-clé", SESSION, signature)
    assert not session_signature_valid(KEY, SESSION[:-1] + "0", signature)
    assert not session_signature_valid(KEY, SESSION + "\n", signature)


@pytest.mark.parametrize("signature", [None, "", 12, "0" * 64, "abc", ["x"]])
def test_a_missing_or_forged_session_signature_is_refused(signature: object) -> None:
    assert not session_signature_valid(KEY, SESSION, signature)


def test_a_speech_token_is_for_one_text_for_one_hour() -> None:
    now = time.time()
    token = speech_token(KEY, "Bonjour.", now=now)
    assert speech_token_valid(KEY, "Bonjour.", token, now=now)
    assert speech_token_valid(KEY, "Bonjour.", token, now=now + SPEECH_TOKEN_SECONDS - 1)
    assert not speech_token_valid(KEY, "Bonjour.", token, now=now + SPEECH_TOKEN_SECONDS + 1)
    assert not speech_token_valid(KEY, "Bonjour !", token, now=now)
    assert not speech_token_valid("autre-clé", "Bonjour.", token, now=now)


def test_purposes_do_not_mix() -> None:
    # A session signature is no speech token for the same string, and the reverse.
    assert not speech_token_valid(KEY, SESSION, "9999999999." + session_signature(KEY, SESSION))


@pytest.mark.parametrize(
    "token", [None, "", "abc", "123", "123.", ".abc", "99999999999999999." + "0" * 64, "1.2.3"]
)
def test_a_malformed_speech_token_is_refused(token: object) -> None:
    assert not speech_token_valid(KEY, "Bonjour.", token)


def test_a_lone_surrogate_does_not_crash() -> None:
    assert not speech_token_valid(KEY, "\ud800", "1.abc")
    assert speech_token_valid(KEY, "\ud800", speech_token(KEY, "\ud800"))
