"""Repeat and fallback actions, on trackers built from inline events and the real domain."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    ActionNluFallback,
    ActionOutOfScope,
    ActionRepeat,
    last_bot_turn,
    misunderstandings_before_latest,
)
from passerelle.config import ROOT


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def user(text: str, intent: str) -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, buttons: List[Dict[str, str]] | None = None) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def tracker(events: List[Dict[str, Any]]) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker(
        sender_id="test",
        slots={},
        latest_message={"text": latest["text"], **latest["parse_data"]},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


BUTTONS = [{"title": "Oui", "payload": "/affirm"}]


def test_last_bot_turn_is_between_the_two_last_user_messages() -> None:
    events = [
        user("bonjour", "greet"),
        bot("Bonjour !"),
        user("mdp oublié", "forgot_password"),
        bot("Étape 1", BUTTONS),
        bot("Étape 2"),
        user("répète", "repeat"),
    ]
    assert [e["text"] for e in last_bot_turn(events)] == ["Étape 1", "Étape 2"]


async def test_repeat_sends_the_same_messages_with_buttons(domain) -> None:
    events = [user("mdp oublié", "forgot_password"), bot("Étape 1", BUTTONS), bot("Étape 2")]
    events.append(user("répète", "repeat"))
    dispatcher = CollectingDispatcher()
    assert await ActionRepeat().run(dispatcher, tracker(events), domain) == []
    assert [m["text"] for m in dispatcher.messages] == ["Étape 1", "Étape 2"]
    assert dispatcher.messages[0]["buttons"] == BUTTONS


async def test_repeat_with_nothing_said_yet(domain) -> None:
    dispatcher = CollectingDispatcher()
    await ActionRepeat().run(dispatcher, tracker([user("répète", "repeat")]), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_nothing_to_repeat"]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["zblorf"], "utter_not_understood"),
        (["zblorf", "kwix"], "utter_offer_human"),
        (["zblorf", "kwix", "plop"], "utter_offer_human"),
        ([""], "utter_empty_message"),
        (["   "], "utter_empty_message"),
        (["🙂"], "utter_empty_message"),
        (["x" * 10_000], "utter_message_too_long"),
    ],
)
async def test_fallback_answers(domain, texts: List[str], expected: str) -> None:
    events = [user("bonjour", "greet"), bot("Bonjour !")]
    for text in texts:
        events += [user(text, "nlu_fallback"), bot("...")]
    events.pop()
    dispatcher = CollectingDispatcher()
    await ActionNluFallback().run(dispatcher, tracker(events), domain)
    assert [m["response"] for m in dispatcher.messages] == [expected]
    assert expected in domain["responses"]


def test_understood_message_resets_the_count() -> None:
    events = [
        user("zblorf", "nlu_fallback"),
        user("bonjour", "greet"),
        user("kwix", "nlu_fallback"),
        user("plouk", "nlu_fallback"),
    ]
    assert misunderstandings_before_latest(events) == 1


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def test_the_forms_failed_tries_say_whether_a_turn_was_understood() -> None:
    """An answer the form refused counts, whatever its intent; one it took does not."""
    events = [
        user("aaaaaa", "affirm"),
        slot("failed_tries", 1.0),
        user("qsdfgh", "out_of_scope"),
    ]
    assert misunderstandings_before_latest(events) == 1
    events = [
        user("blorf zatu", "out_of_scope"),
        user("35", "out_of_scope"),
        slot("failed_tries", 0.0),
        user("xq zzvrt", "out_of_scope"),
    ]
    assert misunderstandings_before_latest(events) == 0
    events = [
        user("blorf zatu", "out_of_scope"),
        user("jsp koi fer", "nlu_fallback"),
        slot("actualisation_help", "hours_worked"),
        user("xq zzvrt", "out_of_scope"),
    ]
    assert misunderstandings_before_latest(events) == 0  # "jsp" got the question's help


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ([], "utter_out_of_scope"),
        ([("bonjour", "greet")], "utter_out_of_scope"),
        ([("blorf zatu kripo manglu", "out_of_scope")], "utter_offer_human"),
        ([("zblorf", "nlu_fallback")], "utter_offer_human"),
    ],
)
async def test_out_of_scope_twice_in_a_row_offers_a_person(domain, before, expected) -> None:
    events = [user(text, intent) for text, intent in before]
    events.append(user("xq zzvrt plouk frimble", "out_of_scope"))
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, tracker(events), domain)
    assert [m["response"] for m in dispatcher.messages] == [expected]
    assert "3949" in domain["responses"]["utter_offer_human"][0]["text"]
