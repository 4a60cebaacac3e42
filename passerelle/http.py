"""Security headers for the web apps (widget and console), as plain ASGI middleware.

ASGI is a protocol, not a framework: this module imports no Starlette, so both apps
share one middleware. Each app gives its own headers (the widget's Content Security
Policy depends on where Rasa is; the console's is stricter).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Mapping, MutableMapping, Union

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
HeadersFor = Callable[[Scope], Mapping[str, str]]

# What every page of ours sends, unless the app says otherwise.
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def header(scope: Scope, name: bytes) -> str:
    """One request header of an HTTP scope ("" when absent)."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class SecurityHeaders:
    """Adds `headers` to every HTTP response, errors included; a response's own win."""

    def __init__(self, app: ASGIApp, headers: Union[Mapping[str, str], HeadersFor]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted: Dict[str, str] = dict(BASE_HEADERS)
        wanted.update(self.headers(scope) if callable(self.headers) else self.headers)
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in wanted.items()
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["BASE_HEADERS", "SecurityHeaders", "header"]
