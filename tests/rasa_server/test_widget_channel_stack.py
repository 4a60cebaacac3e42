"""The widget's Rasa channel inside the running assistant, spoken to as a socket.io client would.

The client speaks the socket.io protocol (v5 over Engine.IO v4) on a plain websocket: the same
frames the widget's socket.io.min.js sends, without the browser.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, List, Tuple

import pytest
import websockets

from rasa_server.widget import TOO_LONG_MESSAGE

pytestmark = pytest.mark.stack
TIMEOUT_S = 30


class Client:
    """A minimal socket.io client of Rasa's widget channel."""

    def __init__(self, rasa_url: str) -> None:
        self.url = rasa_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws: Any = None

    async def __aenter__(self) -> Client:
        self.ws = await websockets.connect(self.url, max_size=2**22)
        opening = await self.ws.recv()
        assert opening.startswith("0{")  # Engine.IO open packet
        await self.ws.send("40")  # socket.io connect to the default namespace
        await self.event()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def emit(self, name: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([name, data]))

    async def event(self) -> Tuple[str, List[Any]]:
        """The next socket.io packet, answering pings on the way."""
        while True:
            packet = await asyncio.wait_for(self.ws.recv(), TIMEOUT_S)
            if packet == "2":  # Engine.IO ping
                await self.ws.send("3")
                continue
            if packet.startswith("40"):
                return "connect", []
            if packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                return name, args

    async def expect(self, name: str) -> Any:
        while True:
            got, args = await self.event()
            if got == name:
                return args[0]

    async def start(self, session_id: Any) -> str:
        await self.emit("session_request", {"session_id": session_id})
        return await self.expect("session_confirm")

    async def say(self, session: str, message: Any) -> Any:
        await self.emit("user_uttered", {"message": message, "session_id": session})
        return await self.expect("bot_uttered")


async def test_invalid_session_id_is_replaced_by_a_web_one(stack: Any) -> None:
    async with Client(stack.rasa_url) as client:
        session = await client.start("pas-un-identifiant")
        again = await client.start(session)
    assert re.fullmatch(r"web-[0-9a-f]{32}", session)
    assert again == session  # a valid id is kept: that is how a reload keeps the conversation


async def test_long_message_is_refused_in_french_and_never_reaches_the_assistant(
    stack: Any,
) -> None:
    async with Client(stack.rasa_url) as client:
        session = await client.start(None)
        reply = await client.say(session, "a" * 10_000)
        ordinary = await client.say(session, "j'ai oublié mon mot de passe")
    assert reply == {"text": TOO_LONG_MESSAGE}
    assert ordinary["text"] and ordinary["text"] != TOO_LONG_MESSAGE
    tracker = await asyncio.to_thread(stack.tracker, session)
    said = [event.get("text") for event in tracker["events"] if event["event"] == "user"]
    assert said == ["j'ai oublié mon mot de passe"]
