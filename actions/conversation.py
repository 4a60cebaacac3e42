"""Conversation mechanics: repeat the last answer, fall back when not understood.

A message is a misunderstanding when the NLU gives `nlu_fallback` or `out_of_scope`,
or when the actualisation form could not read it as an answer (the form then sets
`failed_tries` above 0 in that turn; an answer it accepts sets it to 0). Two
misunderstandings in a row, in or out of the form, offer a person: the 3949, the agency.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from passerelle.actualisation import FAILED_TRIES_SLOT, HELP_SLOT
from passerelle.names import (
    FALLBACK_ACTION,
    FALLBACK_INTENT,
    OUT_OF_SCOPE_ACTION,
    OUT_OF_SCOPE_INTENT,
)
from passerelle.text import MAX_PARSED_CHARS, has_words

logger = logging.getLogger(__name__)

# After this many misunderstandings in a row, offer a human contact.
FALLBACKS_BEFORE_HUMAN = 2
# Intents that say the message was not understood.
MISUNDERSTOOD_INTENTS = frozenset({FALLBACK_INTENT, OUT_OF_SCOPE_INTENT})


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


def misunderstandings_before_latest(events: List[Dict[Text, Any]]) -> int:
    """How many user messages in a row, just before the latest one, were not understood.

    A turn where the form set `failed_tries` is judged by it (above 0: not understood,
    whatever the intent); one where it gave a question's help (`actualisation_help`,
    e.g. after "jsp") was understood; any other turn is judged by its intent
    (`MISUNDERSTOOD_INTENTS`).
    """
    count = 0
    latest_seen = False
    turn_tries: Any = None  # the last `failed_tries` set in the turn being read
    for event in reversed(events):
        kind = event.get("event")
        name, value = event.get("name"), event.get("value")
        if kind == "slot" and name == FAILED_TRIES_SLOT and turn_tries is None:
            turn_tries = value or 0
        elif kind == "slot" and name == HELP_SLOT and value and turn_tries is None:
            turn_tries = 0  # help given: the message was understood
        elif kind == "user":
            if latest_seen:
                intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
                if turn_tries is not None:
                    misunderstood = turn_tries > 0
                else:
                    misunderstood = intent in MISUNDERSTOOD_INTENTS
                if not misunderstood:
                    break
                count += 1
            latest_seen = True
            turn_tries = None
    return count


def misunderstood_twice(events: List[Dict[Text, Any]]) -> bool:
    """The latest message, not understood, is the second misunderstanding in a row."""
    return misunderstandings_before_latest(events) + 1 >= FALLBACKS_BEFORE_HUMAN


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
        elif misunderstood_twice(tracker.events):
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_not_understood")
        return []


class ActionOutOfScope(Action):
    """Answers a question outside the assistant's topics (intent `out_of_scope`).

    Says what it can help with; the second misunderstanding in a row (out of scope,
    fallback, or an answer the form could not read) offers the 3949 and the agency.
    Inside the form, the form then asks its question again.
    """

    def name(self) -> Text:
        return OUT_OF_SCOPE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if misunderstood_twice(tracker.events):
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
