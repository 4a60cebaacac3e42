"""The assistant seen from the kiosk: its own REST channel, opened with the kiosk's key."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

import httpx

from passerelle.names import KIOSK_SENDER_PREFIX

logger = logging.getLogger(__name__)

WEBHOOK = "/webhooks/kiosk/webhook"


class AssistantUnavailableError(RuntimeError):
    """Rasa could not be reached or answered with an error."""


@dataclass(frozen=True)
class Reply:
    """One bot message: its text, its buttons (title, payload) and its custom data."""

    text: str
    buttons: list[dict] = field(default_factory=list)
    custom: dict = field(default_factory=dict)


def new_sender_id() -> str:
    """A fresh conversation id for the next person at the kiosk."""
    return KIOSK_SENDER_PREFIX + uuid.uuid4().hex


class Assistant:
    """Sends one message and returns the replies."""

    def __init__(self, rasa_url: str, timeout: float, token: str) -> None:
        self.url = rasa_url.rstrip("/") + WEBHOOK
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, sender: str, message: str) -> list[Reply]:
        try:
            response = httpx.post(
                self.url,
                json={"sender": sender, "message": message},
                headers=self.headers,
                timeout=self.timeout,
            )
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("Assistant unreachable at %s: %s", self.url, error)
            raise AssistantUnavailableError(str(error)) from error
        if not isinstance(data, list):
            raise AssistantUnavailableError(f"unexpected answer: {data!r:.200}")
        replies = []
        for item in data:
            if not isinstance(item, dict):
                continue
            buttons = [b for b in item.get("buttons") or [] if isinstance(b, dict)]
            text = str(item.get("text") or "")
            custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
            if text or buttons or custom:
                replies.append(Reply(text, buttons, custom))
        return replies


__all__ = ["Assistant", "AssistantUnavailableError", "Reply", "new_sender_id"]
