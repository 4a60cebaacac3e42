"""Conversation mechanics: repeat the last answer, fall back when not understood."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from passerelle.names import FALLBACK_ACTION, FALLBACK_INTENT
from passerelle.text import MAX_PARSED_CHARS, has_words

logger = logging.getLogger(__name__)

# After this many misunderstandings in a row, offer a human contact.
FALLBACKS_BEFORE_HUMAN = 2


def last_bot_turn(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Bot messages sent after the previous user message (the turn to repeat).

    The latest user message is the request to repeat; the bot messages before it,
    back to the user message before that, are what the person wants to hear again.
    """
    user_seen = 0
    turn: List[Dict[Text, Any]] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            user_seen += 1
            if user_seen == 2:
                break
        elif kind == "bot" and user_seen == 1:
            turn.append(event)
    return list(reversed(turn))


def consecutive_fallbacks(events: List[Dict[Text, Any]]) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionRepeat(Action):
    """Says again the bot messages of the previous turn (intent `repeat`)."""

    def name(self) -> Text:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        turn = last_bot_turn(tracker.events)
        if not turn:
            dispatcher.utter_message(response="utter_nothing_to_repeat")
            return []
        for event in turn:
            data = event.get("data") or {}
            dispatcher.utter_message(
                text=event.get("text"),
                buttons=data.get("buttons") or [],
                image=data.get("image"),
                attachment=data.get("attachment"),
                custom=data.get("custom"),
            )
        return []


class ActionNluFallback(Action):
    """Answers a message the assistant did not understand.

    Empty and overlong messages get a message saying what is expected. Otherwise the
    person is asked to rephrase with topic buttons; after two misunderstandings in a
    row, a human contact is offered (3949, the agency).
    """

    def name(self) -> Text:
        return FALLBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if not has_words(text):
            dispatcher.utter_message(response="utter_empty_message")
        elif len(text) > MAX_PARSED_CHARS:
            dispatcher.utter_message(response="utter_message_too_long")
        elif consecutive_fallbacks(tracker.events) >= FALLBACKS_BEFORE_HUMAN:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_not_understood")
        return []
