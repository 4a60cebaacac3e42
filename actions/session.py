"""Session start: Rasa's own steps, plus the short code the person can give at the desk."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from passerelle.names import LISTEN_ACTION, SESSION_START_ACTION, WIDGET_CHANNEL, channel_of
from passerelle.shortcode import CODE_SLOT, new_code


class ActionSessionStart(Action):
    """Replaces Rasa's `action_session_start` (listed in domain.yml's `actions:`).

    Rasa's version starts the session and carries no slot over
    (`session_config: carry_over_slots_to_new_session: false`); this one does the same and
    draws a fresh random code (`passerelle/shortcode.py`) into the slot `conversation_code`.
    In a widget conversation the code is also sent as a custom message
    (`{"conversation_code": ...}`), which the widget's channel passes on as its own socket
    event: the widget shows it. Other channels get no extra message (REST clients keep
    their replies as they were); the kiosk says the code in its variant of
    `utter_human_handoff`, filled from the slot.
    """

    def name(self) -> Text:
        return SESSION_START_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        code = new_code()
        if channel_of(tracker.sender_id) == WIDGET_CHANNEL:
            dispatcher.utter_message(json_message={CODE_SLOT: code})
        return [SessionStarted(), SlotSet(CODE_SLOT, code), ActionExecuted(LISTEN_ACTION)]
