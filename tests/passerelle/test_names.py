"""The names the code tests for exist in `domain.yml` (said once, in `passerelle/names.py`)."""

from __future__ import annotations

from passerelle import names
from passerelle.domain import load_domain

DOMAIN = load_domain()
RASA_BUILT_IN = {"nlu_fallback", "action_listen", "action_session_start", "action_default_fallback"}


def test_intents_the_code_tests_for_are_in_the_domain() -> None:
    intents = set(DOMAIN["intents"]) | RASA_BUILT_IN
    for name in dir(names):
        if name.endswith("_INTENT"):
            assert getattr(names, name) in intents, name


def test_actions_and_form_are_in_the_domain() -> None:
    actions = set(DOMAIN["actions"]) | RASA_BUILT_IN
    assert names.FALLBACK_ACTION in actions
    assert names.ACTUALISATION_FORM in DOMAIN["forms"]


def test_channels_from_sender_ids() -> None:
    assert names.channel_of("web-" + "a" * 32) == names.WIDGET_CHANNEL
    assert names.channel_of("kiosque-123") == names.KIOSK_CHANNEL
    assert names.channel_of("quelquun") == names.REST_CHANNEL
    assert names.sender_prefix(names.KIOSK_CHANNEL) == names.KIOSK_SENDER_PREFIX
    assert names.sender_prefix(names.REST_CHANNEL) is None
