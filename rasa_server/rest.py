"""REST channel that refuses malformed requests with a clear French message.

Rasa's own REST channel answers a body that is not a JSON object with a server
error and accepts a message that is not text. This one keeps the same URL
(`/webhooks/rest/webhook`) and answers bad requests with HTTP 4xx and a French
explanation; control characters are removed before the message is processed.
Configured in `credentials.yml` as `rasa_server.rest.RestInput:`.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from passerelle.names import REST_INPUT

logger = logging.getLogger(__name__)

# A longer message is refused outright; up to this size the assistant itself answers
# (and asks for a shorter question when the message is too long to be useful).
MAX_MESSAGE_CHARS = 20_000
MAX_SENDER_CHARS = 128
EXPECTED_BODY = '{"sender": "identifiant-de-conversation", "message": "votre question"}'


def clean_text(text: str) -> str:
    """Removes control characters (keeps line breaks and tabs) and composes accents."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def request_problem(body: Any) -> Optional[tuple[int, str]]:
    """(HTTP status, French message) when the body cannot be processed, else None."""
    if not isinstance(body, dict):
        return 400, f"Le corps de la requête doit être un objet JSON : {EXPECTED_BODY}"
    sender = body.get("sender")
    if not isinstance(sender, str) or not clean_text(sender).strip():
        return 400, "Il manque « sender » : l'identifiant de la conversation (du texte)."
    if len(sender) > MAX_SENDER_CHARS or clean_text(sender) != sender:
        return 400, f"« sender » doit être un texte court (au plus {MAX_SENDER_CHARS} signes)."
    message = body.get("message")
    if not isinstance(message, str):
        return 400, "Il manque « message » : le texte de la question."
    if len(message) > MAX_MESSAGE_CHARS:
        return 413, f"Le message est trop long (plus de {MAX_MESSAGE_CHARS} signes)."
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return 400, "« metadata » doit être un objet JSON."
    return None


class RestInput(RasaRestInput):
    """Rasa's REST channel with request validation in French."""

    @classmethod
    def name(cls) -> Text:
        return REST_INPUT

    def _extract_message(self, req: Request) -> Optional[Text]:
        return clean_text(req.json["message"])

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def validate(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own errors for bad JSON
                body = None
            problem = request_problem(body)
            if problem is None:
                return None
            status, message = problem
            logger.info("REST request refused (%s): %s", status, message)
            return response.json({"erreur": message}, status=status)

        return webhook
