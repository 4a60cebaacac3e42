"""REST channel that refuses malformed or foreign requests with a clear French message.

Rasa's own REST channel answers a body that is not a JSON object with a server
error, accepts a message that is not text, any conversation id and any metadata. This
one keeps the same URL (`/webhooks/rest/webhook`) and answers bad requests with HTTP 4xx
and a French explanation:
- the conversation id (`sender`) is a short run of safe characters (`rasa_server/inputs.py`);
- the widget's and the kiosk's prefixes (`web-`, `kiosque-`) are theirs alone: an anonymous
  caller cannot write into, or read back ("répète"), a widget or kiosk conversation;
- `metadata` is a JSON object of at most 4 KB, the whole body at most `MAX_BODY_BYTES`;
- the channel name is always this channel's (a caller cannot claim `input_channel`).
Control and invisible characters are removed from the message before it is processed.
Configured in `credentials.yml` as `rasa_server.rest.RestInput:`.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from passerelle.names import REST_INPUT, SENDER_PREFIXES
from rasa_server import faults
from rasa_server.inputs import SENDER_RULE, clean_text, metadata_problem, valid_sender

logger = logging.getLogger(__name__)

# A longer message is refused outright; up to this size the assistant itself answers
# (and asks for a shorter question when the message is too long to be useful).
MAX_MESSAGE_CHARS = 20_000
# The largest body worth reading: the longest message, escaped, plus its metadata.
MAX_BODY_BYTES = 256 * 1024
EXPECTED_BODY = '{"sender": "identifiant-de-conversation", "message": "votre question"}'
BODY_TOO_BIG = (
    f"La requête est trop grosse ({MAX_BODY_BYTES // 1024} Ko au plus). "
    "Envoyez un message plus court, avec moins de « metadata »."
)
# Conversation id prefixes that belong to another channel.
RESERVED_PREFIXES = tuple(prefix for prefix, _ in SENDER_PREFIXES)
RESERVED_SENDER = (
    "Les identifiants qui commencent par « web- » ou « kiosque- » sont réservés au widget "
    "et à la borne. Choisissez un autre identifiant de conversation."
)


def request_problem(body: Any, own_prefix: Optional[str] = None) -> Optional[Tuple[int, str]]:
    """(HTTP status, French message) when the body cannot be processed, else None.

    `own_prefix`: the conversation id prefix this channel must use (None: any prefix but
    the reserved ones).
    """
    if not isinstance(body, dict):
        return 400, f"Le corps de la requête doit être un objet JSON : {EXPECTED_BODY}"
    sender = body.get("sender")
    if not isinstance(sender, str) or not clean_text(sender).strip():
        return 400, "Il manque « sender » : l'identifiant de la conversation (du texte)."
    if not valid_sender(sender):
        return 400, SENDER_RULE
    if own_prefix is None and sender.startswith(RESERVED_PREFIXES):
        return 403, RESERVED_SENDER
    if own_prefix is not None and not sender.startswith(own_prefix):
        return 400, f"Sur ce canal, « sender » commence par « {own_prefix} »."
    message = body.get("message")
    if not isinstance(message, str):
        return 400, "Il manque « message » : le texte de la question."
    if len(message) > MAX_MESSAGE_CHARS:
        return 413, f"Le message est trop long (plus de {MAX_MESSAGE_CHARS} signes)."
    return metadata_problem(body.get("metadata"))


class RestInput(RasaRestInput):
    """Rasa's REST channel with request validation in French."""

    # The conversation id prefix this channel uses; None: free ids, never a reserved prefix.
    sender_prefix: Optional[str] = None

    @classmethod
    def name(cls) -> Text:
        return REST_INPUT

    def _extract_message(self, req: Request) -> Optional[Text]:
        return clean_text(req.json["message"])

    def _extract_input_channel(self, req: Request) -> Text:
        # Rasa lets the caller name the channel; the channel is the URL's, nothing else.
        return self.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        # A message that cannot be processed gets a French apology, not an empty answer.
        webhook = super().blueprint(faults.guard(on_new_message))

        @webhook.middleware("request")
        async def validate(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            if len(request.body or b"") > MAX_BODY_BYTES:
                problem: Optional[Tuple[int, str]] = (413, BODY_TOO_BIG)
            else:
                try:
                    body = request.json
                except Exception:  # noqa: BLE001 - Sanic raises its own errors for bad JSON
                    body = None
                problem = request_problem(body, self.sender_prefix)
            if problem is None:
                return None
            status, message = problem
            logger.info("REST request refused (%s): %s", status, message)
            return response.json({"erreur": message}, status=status)

        return webhook
