"""Names shared by several processes, said once: intents the code tests for, channels, states.

Intent, action and form names must match `domain.yml`; `tests/passerelle/test_names.py`
checks that they do.
"""

from __future__ import annotations

from typing import Optional

TIMEZONE = "Europe/Paris"  # the time zone of France Travail's dates

# --- intents the code tests for ---------------------------------------------------------
FALLBACK_INTENT = "nlu_fallback"  # Rasa's FallbackClassifier and our NLU guard
CREDENTIALS_INTENT = "disclose_credentials"
# The bot's answer to it: the message after it may be the secret itself (`privacy.py`).
CREDENTIALS_RESPONSE = "utter_disclose_credentials"
HUMAN_INTENT = "human_handoff"
AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
INFORM_INTENT = "inform"
HELP_INTENT = "help"
STOP_INTENT = "stop"
GOODBYE_INTENT = "goodbye"
OUT_OF_SCOPE_INTENT = "out_of_scope"

# --- actions and the form ---------------------------------------------------------------
FALLBACK_ACTION = "action_nlu_fallback"
DEFAULT_FALLBACK_ACTION = "action_default_fallback"
LISTEN_ACTION = "action_listen"
SESSION_START_ACTION = "action_session_start"
ACTUALISATION_FORM = "actualisation_form"
REQUESTED_SLOT = "requested_slot"

# --- channels ---------------------------------------------------------------------------
# Conversation ids say which channel a conversation came from (the console sorts by it).
WIDGET_SENDER_PREFIX = "web-"
KIOSK_SENDER_PREFIX = "kiosque-"
WIDGET_CHANNEL = "widget"
KIOSK_CHANNEL = "kiosk"
REST_CHANNEL = "rest"
SENDER_PREFIXES = ((WIDGET_SENDER_PREFIX, WIDGET_CHANNEL), (KIOSK_SENDER_PREFIX, KIOSK_CHANNEL))
# Rasa's input channel names (`UserMessage.input_channel`, response variants' `channel:`).
SOCKETIO_INPUT = "socketio"
REST_INPUT = "rest"
KIOSK_INPUT = "kiosk"  # the kiosk's own REST channel (`rasa_server/kiosk.py`)
# The field of a widget bot message that lets "Écouter" read it (`passerelle/signing.py`):
# Rasa's widget channel adds it, the widget sends it back to the web app's `/api/tts`.
SPEECH_TOKEN_FIELD = "speech_token"  # noqa: S105 - a field name
# Key of the `custom` data carrying the printable summary's link to the kiosk (the kiosk
# variant of `utter_actualisation_summary` in domain.yml): printed, never spoken.
SUMMARY_LINK_KEY = "summary_url"


def channel_of(sender_id: str) -> str:
    """ "widget", "kiosk" or "rest" from the conversation id's prefix."""
    for prefix, channel in SENDER_PREFIXES:
        if sender_id.startswith(prefix):
            return channel
    return REST_CHANNEL


def sender_prefix(channel: str) -> Optional[str]:
    """The conversation id prefix of a channel ("widget" -> "web-"), None for REST."""
    return next((prefix for prefix, name in SENDER_PREFIXES if name == channel), None)


__all__ = [name for name in dir() if name.isupper()] + ["channel_of", "sender_prefix"]
