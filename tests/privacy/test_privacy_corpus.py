"""The masker alone on the privacy corpora: what the store would keep of each conversation.

No classifier and no bot here (`tests/privacy/test_privacy_stack.py` has them): a second
message is masked whole only when the first announced it. Each case goes typed as
written and through the kiosk's path (spoken numbers turned into digits).
"""

from __future__ import annotations

from typing import List

import pytest

from passerelle.domain import load_domain
from passerelle.privacy import mask_text
from tests.support.privacy_corpus import (
    DEV_CASES,
    SecretCase,
    kiosk_message,
    leaks,
    load_ordinary_cases,
    load_secret_cases,
    mask_conversation,
    over_masked,
)

SECRET_CASES = load_secret_cases()
ORDINARY_CASES = load_ordinary_cases()
DEV_SECRETS = load_secret_cases(DEV_CASES)
DEV_ORDINARY = load_ordinary_cases(DEV_CASES)


def _sent(messages: List[str], path: str) -> List[str]:
    return [kiosk_message(m) for m in messages] if path == "kiosk" else messages


def _leaks(cases: List[SecretCase], path: str) -> dict:
    found = {}
    for case in cases:
        sent = _sent(case.messages, path)
        stored = mask_conversation(sent)
        leaked = leaks(case, stored)
        if leaked:
            found[case.id] = (sent, stored, leaked)
    return found


def test_the_corpora_are_big_enough() -> None:
    assert len(SECRET_CASES) >= 250
    assert sum(len(case.messages) == 2 for case in SECRET_CASES) >= 20
    assert {case.channel for case in SECRET_CASES} == {"typed", "kiosk"}
    assert len(ORDINARY_CASES) >= 150


@pytest.mark.parametrize("path", ["typed", "kiosk"])
def test_no_secret_of_the_corpus_survives(path: str) -> None:
    assert _leaks(SECRET_CASES, path) == {}


@pytest.mark.parametrize("path", ["typed", "kiosk"])
def test_ordinary_messages_stay_as_written(path: str) -> None:
    changed = {}
    for case in ORDINARY_CASES:
        sent = kiosk_message(case.text) if path == "kiosk" else case.text
        stored = mask_conversation([sent])[0]
        if over_masked(case, stored, sent):
            changed[case.id] = (sent, stored)
    assert changed == {}


@pytest.mark.parametrize("path", ["typed", "kiosk"])
def test_development_cases(path: str) -> None:
    assert _leaks(DEV_SECRETS, path) == {}
    for case in DEV_ORDINARY:
        sent = kiosk_message(case.text) if path == "kiosk" else case.text
        assert not over_masked(case, mask_conversation([sent])[0], sent), case.id


def test_the_bot_s_own_words_are_never_masked() -> None:
    """Every response of domain.yml (texts and buttons) goes through the store unchanged."""
    for name, variants in load_domain()["responses"].items():
        for variant in variants:
            texts = [variant.get("text") or ""]
            texts += [button.get("title") or "" for button in variant.get("buttons") or []]
            for text in texts:
                assert mask_text(text) == text, name
