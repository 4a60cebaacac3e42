"""The agency kiosk's own channel: REST at `/webhooks/kiosk/webhook`, with the kiosk's key.

Configured in `credentials.yml` as `rasa_server.kiosk.KioskInput:`. It is this project's
REST channel (same body, same French refusals) with two differences:
- its channel name is `kiosk`, so `domain.yml` can give spoken variants of a response
  (`channel: kiosk`) that never say "cliquez" or "écrivez";
- only a caller holding the kiosk's key (`KIOSK_TOKEN`, sent as
  `Authorization: Bearer <key>`) may use it;
- its conversation ids start with `kiosque-` (and only it may use that prefix).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
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
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def only_the_kiosk(request: Request) -> Optional[HTTPResponse]:
            given = bearer_token(request)
            if self.token and given and hmac.compare_digest(given, self.token):
                return None
            logger.warning("Kiosk channel: request without the kiosk key refused")
            return response.json({"erreur": REFUSED}, status=401)

        return webhook
