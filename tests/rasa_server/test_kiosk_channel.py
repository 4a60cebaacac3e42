"""The kiosk's own channel: only its key opens it, and replies carry its channel name."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from passerelle.calendar import period_for
from passerelle.domain import load_domain
from passerelle.names import KIOSK_INPUT, KIOSK_SENDER_PREFIX

DOMAIN = load_domain()

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


def replies(stack, path: str, sender: str, message: str, headers: dict | None = None) -> list:
    response = httpx.post(
        f"{stack.rasa_url}{path}",
        json={"sender": sender, "message": message},
        headers=headers or {},
        timeout=60,
    )
    response.raise_for_status()
    if "stream=true" in path:
        return [json.loads(line) for line in response.text.splitlines() if line.strip()]
    return response.json()


def kiosk_variant(name: str) -> dict:
    return next(v for v in DOMAIN["responses"][name] if v.get("channel") == KIOSK_INPUT)


@pytest.mark.parametrize("path", ["/webhooks/kiosk/webhook", "/webhooks/kiosk/webhook?stream=true"])
def test_the_kiosk_gets_its_spoken_variants_other_channels_todays_text(stack, path: str) -> None:
    """Rasa picks a variant by the output channel's name: the kiosk's is `kiosk`."""
    key = {"Authorization": f"Bearer {stack.kiosk_token}"}
    spoken = replies(stack, path, KIOSK_SENDER_PREFIX + uuid.uuid4().hex, "merci", key)
    written = replies(stack, "/webhooks/rest/webhook", uuid.uuid4().hex, "merci")
    assert [reply["text"] for reply in spoken] == [kiosk_variant("utter_thank")["text"]]
    assert [reply["text"] for reply in written] == [DOMAIN["responses"]["utter_thank"][0]["text"]]
    assert written[0]["text"] != spoken[0]["text"] and "Écrivez" not in spoken[0]["text"]


def test_responses_sent_by_custom_actions_are_the_kiosk_variants_too(stack) -> None:
    """`dispatcher.utter_message(response=...)` on the action server, resolved by Rasa."""
    key = {"Authorization": f"Bearer {stack.kiosk_token}"}
    sender = KIOSK_SENDER_PREFIX + uuid.uuid4().hex
    spoken = replies(stack, "/webhooks/kiosk/webhook", sender, "je veux m'actualiser", key)
    assert spoken[0]["text"] == kiosk_variant("utter_actualisation_intro")["text"]
    written = replies(stack, "/webhooks/rest/webhook", uuid.uuid4().hex, "je veux m'actualiser")
    assert written[0]["text"] == DOMAIN["responses"]["utter_actualisation_intro"][0]["text"]
    # The form's first question as the kiosk says it (the worked question has a variant).
    if period_for().is_open:
        assert spoken[-1]["text"] == kiosk_variant("utter_ask_worked")["text"]
    else:
        assert spoken[-1]["text"] == DOMAIN["responses"]["utter_ask_rehearsal_ok"][0]["text"]
    assert [b["payload"] for b in spoken[-1]["buttons"]] == ["/affirm", "/deny"]
