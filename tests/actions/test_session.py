"""Session start: Rasa's steps, a fresh short code in its slot, sent to the widget only."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from passerelle.domain import load_domain
from passerelle.shortcode import CODE_SLOT, normalized


def start(sender: str = "web-" + "0" * 32) -> tuple[list[dict], list[dict]]:
    tracker = Tracker(sender, {}, {}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, load_domain()))
    return events, dispatcher.messages


def test_session_starts_with_a_code_in_its_slot_and_sent_as_data() -> None:
    events, messages = start()
    assert [event["event"] for event in events] == ["session_started", "slot", "action"]
    slot = events[1]
    assert slot["name"] == CODE_SLOT and normalized(slot["value"])
    assert events[2]["name"] == "action_listen"
    assert messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {CODE_SLOT: slot["value"]},
            "template": None,
            "response": None,
            "image": None,
            "attachment": None,
        }
    ]


def test_other_channels_get_no_extra_message() -> None:
    for sender in ("kiosque-" + "0" * 32, "rest-client-1"):
        events, messages = start(sender)
        assert events[1]["name"] == CODE_SLOT and normalized(events[1]["value"])
        assert messages == []


def test_each_session_draws_its_own_code() -> None:
    codes = {start()[0][1]["value"] for _ in range(20)}
    assert len(codes) > 15


def test_the_domain_lists_the_action_and_the_slot() -> None:
    domain = load_domain()
    assert "action_session_start" in domain["actions"]
    slot = domain["slots"][CODE_SLOT]
    assert slot["influence_conversation"] is False
