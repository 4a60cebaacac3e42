"""Rasa socket.io input channel for the web widget, with server-side checks.

Wire it in `credentials.yml` instead of the plain `socketio` channel:

    rasa_server.widget.WidgetInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

It behaves like Rasa's own `socketio` channel (same events, same `/socket.io` path, same
channel name) and adds what the widget cannot be trusted to do alone:
- the socket joins its session's room (Rasa 3.6's own handler does not await `enter_room` with
  python-socketio 5.x, so with `session_persistence` the replies never reach the browser);
- every session id starts with `web-`, so the counsellor console can tell web conversations apart;
- a message that is not text, is empty, or is longer than `MAX_MESSAGE_CHARS` never reaches the
  assistant: a too long message gets a short French answer instead.
"""

from __future__ import annotations

import inspect
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from passerelle.names import SOCKETIO_INPUT, WIDGET_SENDER_PREFIX

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
SESSION_ID_PATTERN = re.compile(rf"^{re.escape(WIDGET_SENDER_PREFIX)}[0-9a-f]{{32}}$")
TOO_LONG_MESSAGE = (
    f"Votre message est trop long. Écrivez {MAX_MESSAGE_CHARS} caractères au maximum."
)


def new_session_id() -> str:
    """Returns a fresh widget session id (`web-` and 32 hex digits)."""
    return WIDGET_SENDER_PREFIX + uuid.uuid4().hex


def valid_session_id(value: Any) -> bool:
    """Tells whether `value` is a session id this channel gave out."""
    return isinstance(value, str) and bool(SESSION_ID_PATTERN.match(value))


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


class WidgetInput(SocketIOInput):
    """Rasa's socket.io channel with `web-` session ids and message checks."""

    @classmethod
    def name(cls) -> str:
        return SOCKETIO_INPUT

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Builds Rasa's socket.io blueprint, then tightens its handlers."""

        async def checked(message: UserMessage) -> None:
            await filter_message(message, on_new_message)

        # Replies go to the room named after the session id: without persistence the
        # sender would be the socket id, which has no `web-` prefix and would be refused.
        self.session_persistence = True
        blueprint = super().blueprint(checked)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_session_id(requested) else new_session_id()
            if self.session_persistence:
                # Rasa 3.6 forgets to await this coroutine (python-socketio 5.x), so its own
                # channel never joins the room and replies are lost: this handler awaits it.
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("Session confirmed")

        return blueprint
