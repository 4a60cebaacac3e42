"""The kiosk's own channel: only its key opens it, and replies carry its channel name."""

from __future__ import annotations

import uuid

import httpx
import pytest

from passerelle.names import KIOSK_INPUT, KIOSK_SENDER_PREFIX

pytestmark = pytest.mark.stack


def post(stack, headers: dict, message: str = "bonjour") -> httpx.Response:
    sender = KIOSK_SENDER_PREFIX + uuid.uuid4().hex
    return httpx.post(
        f"{stack.rasa_url}/webhooks/kiosk/webhook",
        json={"sender": sender, "message": message},
        headers=headers,
        timeout=60,
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer faux"}, {"Authorization": "Basic abc"}],
    ids=["no key", "wrong key", "other scheme"],
)
def test_without_the_kiosk_key_the_channel_is_closed(stack, headers: dict) -> None:
    response = post(stack, headers)
    assert response.status_code == 401
    assert response.json() == {"erreur": "Ce canal est réservé à la borne de l'agence."}


def test_the_kiosk_key_opens_it_and_the_conversation_is_on_the_kiosk_channel(stack) -> None:
    sender = KIOSK_SENDER_PREFIX + uuid.uuid4().hex
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/kiosk/webhook",
        json={"sender": sender, "message": "j'ai oublié mon identifiant"},
        headers={"Authorization": f"Bearer {stack.kiosk_token}"},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json() and all("text" in reply for reply in response.json())
    tracker = stack.tracker(sender)
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert users and users[-1]["input_channel"] == KIOSK_INPUT


def test_bad_bodies_still_get_the_french_refusals(stack) -> None:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/kiosk/webhook",
        content=b"{pas du json",
        headers={
            "Authorization": f"Bearer {stack.kiosk_token}",
            "content-type": "application/json",
        },
        timeout=60,
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["erreur"]
