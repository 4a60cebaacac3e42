"""A minimal socket.io client of Rasa's widget channel, for tests and benches.

It speaks the socket.io protocol (v5 over Engine.IO v4) on a plain websocket: the same frames
the widget's socket.io.min.js sends, without the browser. It sends the widget page's `Origin`,
as a browser does, unless told to play another site.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, List, Optional, Tuple

import websockets

TIMEOUT_S = 30
QUIET_S = 4.0  # how long a socket must stay silent to show it received nothing


class Client:
    """A minimal socket.io client of Rasa's widget channel."""

    def __init__(self, stack: Any, origin: Optional[str] = "") -> None:
        url = stack.rasa_url.replace("http", "ws", 1)
        self.url = url + "/socket.io/?EIO=4&transport=websocket"
        self.origin = stack.web_url if origin == "" else origin
        self.ws: Any = None

    async def __aenter__(self) -> Client:
        self.ws = await websockets.connect(self.url, max_size=2**22, origin=self.origin)
        opening = await self.ws.recv()
        assert opening.startswith("0{")  # Engine.IO open packet
        await self.ws.send("40")  # socket.io connect to the default namespace
        await self.event()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def emit(self, name: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([name, data]))

    async def event(self, timeout: float = TIMEOUT_S) -> Tuple[str, List[Any]]:
        """The next socket.io packet, answering pings on the way."""
        while True:
            packet = await asyncio.wait_for(self.ws.recv(), timeout)
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

    async def silent(self, seconds: float = QUIET_S) -> List[Any]:
        """Every event received within `seconds` (none expected)."""
        received = []
        try:
            while True:
                received.append(await self.event(timeout=seconds))
        except asyncio.TimeoutError:
            return received

    async def start(self, session_id: Any = None, signature: Any = None) -> dict:
        """Asks for a session; returns the confirmation {"session_id", "signature"}."""
        await self.emit("session_request", {"session_id": session_id, "signature": signature})
        return await self.expect("session_confirm")

    async def say(self, session: str, message: Any, **extra: Any) -> Any:
        await self.emit("user_uttered", {"message": message, "session_id": session, **extra})
        return await self.expect("bot_uttered")
