"""The agency kiosk's own channel: REST at `/webhooks/kiosk/webhook`, with the kiosk's key.

Configured in `credentials.yml` as `rasa_server.kiosk.KioskInput:`. It is this project's
REST channel (same body, same French refusals) with these differences:
- its channel name is `kiosk`, so `domain.yml` can give spoken variants of a response
  (`channel: kiosk`) that never say "cliquez" or "écrivez";
- only a caller holding the kiosk's key (`KIOSK_TOKEN`, sent as
  `Authorization: Bearer <key>`) may use it;
- its conversation ids start with `kiosque-` (and only it may use that prefix).

Rasa 3.6 picks a response variant by the name of the *output* channel
(`rasa/core/nlg/response.py`, `output_channel.name()`), for the domain's responses and for
those a custom action names (`dispatcher.utter_message(response=...)`,
`rasa/core/actions/action.py` `_utter_responses`). Rasa's REST channel collects replies in
a `CollectingOutputChannel` named "collector", so `channel: kiosk` variants would never be
chosen: this channel hands Rasa the same collector under the name `kiosk`.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.rest import QueueOutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from passerelle.config import settings
from passerelle.names import KIOSK_INPUT, KIOSK_SENDER_PREFIX
from rasa_server.rest import RestInput

logger = logging.getLogger(__name__)

REFUSED = "Ce canal est réservé à la borne de l'agence."


def bearer_token(request: Request) -> str:
    """The key in `Authorization: Bearer <key>` ("" when absent)."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class KioskOutput(CollectingOutputChannel):
    """Rasa's REST collector, named `kiosk` so that `channel: kiosk` variants are chosen."""

    @classmethod
    def name(cls) -> Text:
        return KIOSK_INPUT


class KioskQueueOutput(QueueOutputChannel):
    """The same for REST's streaming mode (`?stream=true`)."""

    @classmethod
    def name(cls) -> Text:
        return KIOSK_INPUT


def named_kiosk(output: OutputChannel) -> OutputChannel:
    """An output channel named `kiosk` that fills the same message list or queue."""
    if isinstance(output, QueueOutputChannel):
        return KioskQueueOutput(output.messages)
    if isinstance(output, CollectingOutputChannel):
        renamed = KioskOutput()
        renamed.messages = output.messages  # REST answers with this very list
        return renamed
    return output


class KioskInput(RestInput):
    """REST channel named `kiosk`, open only to the holder of the kiosk's key."""

    sender_prefix = KIOSK_SENDER_PREFIX

    def __init__(self, token: Optional[str] = None) -> None:
        self.token = token if token is not None else settings().kiosk_token

    @classmethod
    def name(cls) -> Text:
        return KIOSK_INPUT

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def through_kiosk_output(message: UserMessage) -> None:
            message.output_channel = named_kiosk(message.output_channel)
            await on_new_message(message)

        webhook = super().blueprint(through_kiosk_output)

        @webhook.middleware("request")
        async def only_the_kiosk(request: Request) -> Optional[HTTPResponse]:
            given = bearer_token(request)
            if self.token and given and hmac.compare_digest(given, self.token):
                return None
            logger.warning("Kiosk channel: request without the kiosk key refused")
            return response.json({"erreur": REFUSED}, status=401)

        return webhook
