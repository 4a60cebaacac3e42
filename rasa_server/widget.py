"""Rasa socket.io input channel for the web widget: the server issues and guards sessions.

Wire it in `credentials.yml` instead of the plain `socketio` channel:

    rasa_server.widget.WidgetInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

It speaks like Rasa's own `socketio` channel (same events, same `/socket.io` path, same
channel name) and adds what the widget cannot be trusted to do alone:
- browsers may connect only from the widget's allowed origins (`WidgetSettings.allowed_origins`:
  its public URL and the sites listed in `WIDGET_EMBED_ORIGINS`); Rasa's own channel checks none;
- the server issues every session id (`web-` and 32 random hex digits) with its signature
  (`passerelle/signing.py`), sent in `session_confirm` as `{"session_id", "signature"}`;
  a socket gets back an old session (a page reload) only by presenting both. A forged or
  foreign id gets a fresh session, and a warning in the log without the id;
- each socket is bound to the one session it was confirmed: it joins that room only, and a
  `user_uttered` for any other session is dropped (Rasa trusts the `session_id` field);
- text loses its control and invisible characters; an empty message never reaches the
  assistant, a too long one gets a short French answer instead; metadata is an object of
  at most 4 KB (otherwise a French answer);
- every bot text carries a speech token (`passerelle.names.SPEECH_TOKEN_FIELD`), the only way
  the web app's "Écouter" reads a text aloud;
- a turn never ends in a dead end: when the assistant's last message of a turn has no buttons
  and asks nothing (an answer outside the actualisation form), `FOLLOW_UP_RESPONSE`
  ("Autre question ?" with buttons) follows. Inside the form every turn ends with the next
  question (`utter_ask_...`), so nothing is added there. The follow-up is part of the
  widget's display only: it is not an event of the conversation.
Session ids are never logged above DEBUG.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

import rasa.core.channels.channel
from engineio import AsyncServer as EngineIOServer
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from passerelle.config import settings
from passerelle.domain import load_domain
from passerelle.names import SOCKETIO_INPUT, SPEECH_TOKEN_FIELD, WIDGET_SENDER_PREFIX
from passerelle.signing import session_signature, session_signature_valid, speech_token
from rasa_server import faults
from rasa_server.inputs import MAX_METADATA_BYTES, clean_text, metadata_problem

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
# One socket.io packet: the longest message, JSON-escaped, and its metadata, with room.
MAX_PACKET_BYTES = 64 * 1024
SESSION_ID_PATTERN = re.compile(rf"{re.escape(WIDGET_SENDER_PREFIX)}[0-9a-f]{{32}}")
TOO_LONG_MESSAGE = (
    f"Votre message est trop long. Écrivez {MAX_MESSAGE_CHARS} caractères au maximum."
)
METADATA_REFUSED = (
    f"Votre message n'est pas parti : les informations jointes sont trop grosses "
    f"({MAX_METADATA_BYTES // 1024} Ko au plus) ou mal formées."
)


# After an answer that ends without buttons: "Autre question ?" (domain.yml).
FOLLOW_UP_RESPONSE = "utter_anything_else"
# A turn ending with one of these asks something already: no follow-up.
QUESTION_PREFIX = "utter_ask_"
CLOSING_RESPONSES = frozenset({"utter_goodbye", FOLLOW_UP_RESPONSE})
# Marks the follow-up message for the widget (web/static/widget.js reads it).
FOLLOW_UP_FIELD = "follow_up"


def new_session_id() -> str:
    """A fresh widget session id (`web-` and 32 random hex digits)."""
    return WIDGET_SENDER_PREFIX + secrets.token_hex(16)


def valid_session_id(value: Any) -> bool:
    """Tells whether `value` has the form of a session id this channel gives out."""
    return isinstance(value, str) and SESSION_ID_PATTERN.fullmatch(value) is not None


async def filter_message(
    message: UserMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> bool:
    """Passes `message` on to Rasa if it is acceptable; returns whether it was passed on."""
    text = message.text
    if not valid_session_id(message.sender_id):
        logger.warning("Message dropped: invalid session id")
        return False
    if not isinstance(text, str) or not text.strip():
        logger.debug("Empty message dropped")
        return False
    if len(text) > MAX_MESSAGE_CHARS:
        logger.info("Message of %s characters refused", len(text))
        if message.output_channel is not None:
            await message.output_channel.send_text_message(message.sender_id, TOO_LONG_MESSAGE)
        return False
    await on_new_message(message)
    return True


def read_metadata(raw: Any) -> Optional[Dict[str, Any]]:
    """The message's metadata as a small dict ({} when absent); None when refused."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        if len(raw) > MAX_METADATA_BYTES * 6:  # no JSON parse of a huge string
            return None
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return None if metadata_problem(raw) is not None else raw


def follow_up() -> Dict[str, Any]:
    """The follow-up's text and buttons: the text-channel variant of `FOLLOW_UP_RESPONSE`."""
    variants = load_domain()["responses"][FOLLOW_UP_RESPONSE]
    variant = next((v for v in variants if v.get("channel") in (None, SOCKETIO_INPUT)), variants[0])
    return {"text": variant["text"], "buttons": list(variant.get("buttons") or [])}


def needs_follow_up(last: Optional[Dict[str, Any]]) -> bool:
    """Whether a turn whose last bot message is `last` ends in a dead end.

    `last` is the message Rasa gave the output channel (`utter_action` names the response).
    """
    if not last:
        return False
    if last.get("buttons") or last.get("quick_replies"):
        return False
    name = last.get("utter_action") or ""
    return not name.startswith(QUESTION_PREFIX) and name not in CLOSING_RESPONSES


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output; each text carries the token that lets "Écouter" read it.

    It also remembers a turn's last message, to end the turn well (`end_turn`).
    """

    def __init__(self, sio: AsyncServer, bot_message_evt: str, secret_key: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.secret_key = secret_key
        self.last: Optional[Dict[str, Any]] = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        text = response.get("text") if isinstance(response, dict) else None
        if isinstance(text, str) and text.strip() and self.secret_key:
            response = {**response, SPEECH_TOKEN_FIELD: speech_token(self.secret_key, text)}
        await super()._send_message(socket_id, response)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.last = dict(message)
        await super().send_response(recipient_id, message)

    async def end_turn(self, recipient_id: str) -> None:
        """Sends "Autre question ?" with its buttons when the turn ended in a dead end.

        The message has Rasa's socket.io shape (`text`, `quick_replies`) and says it is a
        follow-up (`FOLLOW_UP_FIELD`), so the widget keeps the answer above it in view.
        """
        if needs_follow_up(self.last):
            more = follow_up()
            replies = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                for b in more["buttons"]
            ]
            message = {"text": more["text"], "quick_replies": replies, FOLLOW_UP_FIELD: True}
            await self._send_message(recipient_id, message)


class OriginCheckingEngine(EngineIOServer):
    """Engine.IO that refuses unknown origins but leaves the CORS headers to Rasa.

    Rasa's CORS extension (sanic-cors, with the same origins) already answers every path,
    `/socket.io/` included; a second `Access-Control-Allow-Origin` would make browsers
    refuse the answer.
    """

    def _cors_headers(self, environ: Dict[str, Any]) -> List[Tuple[str, str]]:
        return []


class WidgetSocketServer(AsyncServer):
    """python-socketio's server on `OriginCheckingEngine`."""

    def _engineio_server_class(self) -> type:
        return OriginCheckingEngine


class WidgetInput(SocketIOInput):
    """Rasa's socket.io channel with server-issued, signed, socket-bound sessions."""

    def __init__(
        self,
        *args: Any,
        allowed_origins: Optional[Sequence[str]] = None,
        secret_key: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = allowed_origins
        self.secret_key = secret_key
        # socket id -> the one session that socket speaks for (this process's sockets).
        self.bound: Dict[str, str] = {}

    @classmethod
    def name(cls) -> str:
        return SOCKETIO_INPUT

    def _configure(self) -> None:
        """Fills the origins and the key from the settings when not given (Rasa's case)."""
        if self.allowed_origins is None or self.secret_key is None:
            config = settings().require_secret_key()
            if self.allowed_origins is None:
                self.allowed_origins = list(config.widget.allowed_origins)
            if self.secret_key is None:
                self.secret_key = config.secret_key

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output for events pushed through Rasa's HTTP API."""
        if self.sio is None:
            return super().get_output_channel()
        return WidgetOutput(self.sio, self.bot_message_evt, self.secret_key or "")

    def session_for(self, data: Any) -> str:
        """The session a `session_request` may have: the one it proves, else a new one."""
        requested = data.get("session_id") if isinstance(data, dict) else None
        signature = data.get("signature") if isinstance(data, dict) else None
        if valid_session_id(requested) and session_signature_valid(
            self.secret_key or "", requested, signature
        ):
            return requested
        if requested is not None:
            logger.warning("Widget session request without a valid proof: a new session is issued")
        return new_session_id()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """A socket.io server that checks origins, issues sessions and binds sockets to them."""
        self._configure()
        # A message that cannot be processed gets a French apology, not silence.
        on_new_message = faults.guard(on_new_message)
        self.session_persistence = True  # replies go to the room named after the session
        # Engine.IO answers 400 to a browser whose Origin is not one of the widget's.
        sio = WidgetSocketServer(
            async_mode="sanic",
            cors_allowed_origins=list(self.allowed_origins or []),
            max_http_buffer_size=MAX_PACKET_BYTES,
        )
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict]) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            payload = None
            if token:
                payload = rasa.core.channels.channel.decode_bearer_token(
                    token, self.jwt_key, self.jwt_algorithm
                )
            return bool(payload)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, reason: Any = None) -> None:
            self.bound.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = self.session_for(data)
            previous = self.bound.get(sid)
            if previous is not None and previous != session_id:
                await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
            # Rasa 3.6 forgets to await this coroutine (python-socketio 5.x), so its own
            # channel never joins the room and replies are lost: this handler awaits it.
            await _maybe_await(sio.enter_room(sid, session_id, namespace=namespace))
            self.bound[sid] = session_id
            confirm = {
                "session_id": session_id,
                "signature": session_signature(self.secret_key or "", session_id),
            }
            await sio.emit("session_confirm", confirm, room=sid, namespace=namespace)
            logger.debug("Session %s confirmed", session_id)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session_id = self.bound.get(sid)
            if session_id is None:
                logger.warning("Widget message from a socket without a session: dropped")
                return
            if not isinstance(data, dict):
                logger.warning("Widget message that is not an object: dropped")
                return
            claimed = data.get("session_id")
            if claimed is not None and claimed != session_id:
                logger.warning("Widget message for another session than its socket's: dropped")
                return
            output = WidgetOutput(sio, self.bot_message_evt, self.secret_key or "")
            metadata = read_metadata(data.get(self.metadata_key))
            if metadata is None:
                logger.info("Widget message with refused metadata")
                await output.send_text_message(session_id, METADATA_REFUSED)
                return
            text = data.get("message")
            message = UserMessage(
                clean_text(text) if isinstance(text, str) else text,
                output,
                session_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            if await filter_message(message, on_new_message):
                await output.end_turn(session_id)

        return blueprint


async def _maybe_await(result: Any) -> None:
    if hasattr(result, "__await__"):
        await result
