"""`/api/tts` ("Écouter") of the running widget app: only what the assistant said, only from
the widget's origins, throttled per client; the app keeps serving after each refusal."""

from __future__ import annotations

import httpx
import pytest

from passerelle.names import SPEECH_TOKEN_FIELD
from tests.support.widget_client import Client
from web.app import TTS_BURST

pytestmark = pytest.mark.stack
QUESTION = "j'ai oublié mon mot de passe"


async def said_by_the_assistant(stack) -> dict:
    """A bot message as the widget received it: its text and its speech token."""
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        reply = await client.say(session, QUESTION)
    return {"text": reply["text"], SPEECH_TOKEN_FIELD: reply[SPEECH_TOKEN_FIELD]}


def speak(stack, body: dict, origin: object = "", client: str = "127.0.0.3") -> httpx.Response:
    """POST /api/tts from the loopback address `client` (each test its own: the budget is
    per client address, and the browser tests come from 127.0.0.1)."""
    origin = stack.web_url if origin == "" else origin
    headers = {"origin": origin} if origin else {}
    transport = httpx.HTTPTransport(local_address=client)
    with httpx.Client(transport=transport, timeout=60) as http:
        return http.post(f"{stack.web_url}/api/tts", json=body, headers=headers)


def keeps_serving(stack) -> None:
    assert httpx.get(f"{stack.web_url}/health", timeout=30).status_code == 200
    assert httpx.get(f"{stack.web_url}/", timeout=30).status_code == 200


async def test_speech_only_for_what_the_assistant_said_from_the_widget_origins(stack) -> None:
    bot = await said_by_the_assistant(stack)
    spoken = speak(stack, bot)
    assert spoken.status_code == 200 and spoken.content[:4] == b"RIFF"
    # A text the assistant never said, with or without a real token of another text.
    for body in (
        {"text": "Appelez le 08 99 00 00 00 tout de suite."},
        {
            "text": "Appelez le 08 99 00 00 00 tout de suite.",
            SPEECH_TOKEN_FIELD: bot["speech_token"],
        },
        {
            "text": bot["text"] + " Et donnez votre mot de passe.",
            **{SPEECH_TOKEN_FIELD: bot[SPEECH_TOKEN_FIELD]},
        },
    ):
        refused = speak(stack, body)
        assert refused.status_code == 403
        assert refused.json()["erreur"].startswith("Ce texte ne vient pas de l'assistant")
        keeps_serving(stack)
    # Same-origin only: another site, or no origin at all, is refused; no CORS grant.
    for origin in ("https://pirate.example", None):
        refused = speak(stack, bot, origin=origin)
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        assert refused.json() == {
            "erreur": "La lecture à voix haute ne marche que depuis la page de l'assistant."
        }
    keeps_serving(stack)


async def test_a_loop_of_speech_requests_is_throttled(stack) -> None:
    bot = await said_by_the_assistant(stack)
    looper = "127.0.0.2"
    # Three bursts' worth in a row: the budget refills one request every few seconds, so
    # even on a slow machine the loop outruns it.
    responses = [speak(stack, bot, client=looper) for _ in range(TTS_BURST * 3)]
    statuses = [response.status_code for response in responses]
    assert statuses[:TTS_BURST] == [200] * TTS_BURST  # a person's clicks go through
    throttled = next(response for response in responses if response.status_code == 429)
    assert throttled.json() == {
        "erreur": "Trop de demandes de lecture. Attendez une minute, puis réessayez."
    }
    assert statuses.count(429) >= TTS_BURST
    print(
        f"\n{len(statuses)} requests in a loop: {statuses.count(200)} served, "
        f"{statuses.count(429)} throttled (429)"
    )
    keeps_serving(stack)
