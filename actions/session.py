"""Session start: Rasa's own steps, plus the short code the person can give at the desk."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from passerelle.names import LISTEN_ACTION, SESSION_START_ACTION
from passerelle.shortcode import CODE_SLOT, new_code


class ActionSessionStart(Action):
    """Replaces Rasa's `action_session_start` (listed in domain.yml's `actions:`).

    Rasa's version starts the session and carries no slot over
    (`session_config: carry_over_slots_to_new_session: false`); this one does the same and
    draws a fresh random code (`passerelle/shortcode.py`) into the slot `conversation_code`.
    The code is also sent as a custom message (`{"conversation_code": ...}`): the widget
    shows it; the kiosk says it in its variant of `utter_human_handoff`.
    """

    def name(self) -> Text:
        return SESSION_START_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        code = new_code()
        dispatcher.utter_message(json_message={CODE_SLOT: code})
        return [SessionStarted(), SlotSet(CODE_SLOT, code), ActionExecuted(LISTEN_ACTION)]
