"""The widget's Rasa socket.io channel: session ids and the checks before Rasa sees a message."""

from __future__ import annotations

from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_server.widget import (
    MAX_MESSAGE_CHARS,
    TOO_LONG_MESSAGE,
    WidgetInput,
    filter_message,
    new_session_id,
    valid_session_id,
)

SESSION = "web-" + "0123456789abcdef" * 2


class Received:
    """Collects what the channel passes on to Rasa."""

    def __init__(self) -> None:
        self.messages: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)


def test_new_session_ids_are_prefixed_and_valid() -> None:
    first, second = new_session_id(), new_session_id()
    assert first.startswith("web-") and valid_session_id(first)
    assert first != second


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        42,
        "0123456789abcdef0123456789abcdef",
        "web-123",
        "kiosque-" + "0" * 32,
        SESSION + "x",
        "web-" + "G" * 32,
    ],
)
def test_other_session_ids_are_refused(value: object) -> None:
    assert not valid_session_id(value)


async def test_ordinary_message_reaches_rasa() -> None:
    received = Received()
    message = UserMessage("j'ai oublié mon mot de passe", CollectingOutputChannel(), SESSION)
    assert await filter_message(message, received)
    assert [m.text for m in received.messages] == ["j'ai oublié mon mot de passe"]


async def test_too_long_message_gets_french_answer_and_never_reaches_rasa() -> None:
    received = Received()
    output = CollectingOutputChannel()
    message = UserMessage("a" * 10_000, output, SESSION)
    assert not await filter_message(message, received)
    assert received.messages == []
    assert [m["text"] for m in output.messages] == [TOO_LONG_MESSAGE]
    assert output.messages[0]["recipient_id"] == SESSION
    assert "2000" in TOO_LONG_MESSAGE


async def test_message_at_the_limit_is_accepted() -> None:
    received = Received()
    message = UserMessage("a" * MAX_MESSAGE_CHARS, CollectingOutputChannel(), SESSION)
    assert await filter_message(message, received)


@pytest.mark.parametrize("text", ["", "   \n "])
async def test_empty_message_is_dropped(text: str) -> None:
    received = Received()
    output = CollectingOutputChannel()
    assert not await filter_message(UserMessage(text, output, SESSION), received)
    assert received.messages == [] and output.messages == []


async def test_message_from_an_unknown_session_is_dropped() -> None:
    received = Received()
    message = UserMessage("bonjour", CollectingOutputChannel(), "kiosque-1")
    assert not await filter_message(message, received)
    assert received.messages == []


def test_channel_keeps_rasa_socketio_name_and_settings() -> None:
    channel = WidgetInput.from_credentials(
        {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
        }
    )
    assert WidgetInput.name() == "socketio"
    assert channel.socketio_path == "/socket.io"
    assert channel.user_message_evt == "user_uttered"
