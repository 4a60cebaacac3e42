"""The widget's Rasa channel inside the running assistant, spoken to as a socket.io client would
(`tests/support/widget_client.py`): origins, server-issued sessions bound to their socket,
the checks before Rasa sees a message."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, List

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatusCode

from passerelle.names import SPEECH_TOKEN_FIELD
from rasa_server.widget import METADATA_REFUSED, TOO_LONG_MESSAGE
from tests.support.widget_client import Client

pytestmark = pytest.mark.stack
PIRATE = "https://pirate.example"
SESSION = re.compile(r"web-[0-9a-f]{32}")


def user_texts(stack: Any, session: str) -> List[str]:
    tracker = stack.tracker(session)
    return [event.get("text") for event in tracker["events"] if event["event"] == "user"]


async def test_the_server_issues_the_session_and_a_signed_one_comes_back(stack: Any) -> None:
    async with Client(stack) as client:
        confirm = await client.start("pas-un-identifiant")
        session, signature = confirm["session_id"], confirm["signature"]
        assert SESSION.fullmatch(session) and len(signature) == 64
        again = await client.start(session, signature)
    assert again["session_id"] == session  # that is how a reload keeps the conversation
    async with Client(stack) as reloaded:  # a new socket: a reloaded page
        assert (await reloaded.start(session, signature))["session_id"] == session


async def test_long_message_is_refused_in_french_and_never_reaches_the_assistant(
    stack: Any,
) -> None:
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        reply = await client.say(session, "a" * 10_000)
        ordinary = await client.say(session, "j'ai oublié mon mot de passe")
    assert reply["text"] == TOO_LONG_MESSAGE
    assert ordinary["text"] and ordinary["text"] != TOO_LONG_MESSAGE
    said = await asyncio.to_thread(user_texts, stack, session)
    assert said == ["j'ai oublié mon mot de passe"]


async def test_a_second_socket_can_neither_read_nor_write_the_first_ones_session(
    stack: Any,
) -> None:
    async with Client(stack) as first, Client(stack) as second:
        confirm = await first.start()
        victim = confirm["session_id"]
        await first.say(victim, "j'ai oublié mon mot de passe")
        # Knowing the id is not enough: a forged or missing proof gets a fresh session.
        for forged in (None, "0" * 64, confirm["signature"][::-1]):
            other = (await second.start(victim, forged))["session_id"]
            assert other != victim and SESSION.fullmatch(other)
        # Writing into the victim's session from the second socket is dropped.
        await second.emit("user_uttered", {"message": "message pirate", "session_id": victim})
        # The victim's next replies (here, "répète") never reach the second socket.
        await first.emit("user_uttered", {"message": "répète", "session_id": victim})
        assert await first.expect("bot_uttered")
        assert await second.silent() == []
        # The second socket still has its own conversation.
        assert (await second.say(other, "bonjour"))["text"]
    said = await asyncio.to_thread(user_texts, stack, victim)
    assert said == ["j'ai oublié mon mot de passe", "répète"]
    assert "message pirate" not in json.dumps(await asyncio.to_thread(stack.tracker, other))
    log = stack.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Widget session request without a valid proof: a new session is issued" in log
    assert "Widget message for another session than its socket's: dropped" in log
    assert victim not in log and other not in log  # session ids are never logged at INFO


async def test_an_id_followed_by_a_line_break_gets_a_fresh_session(stack: Any) -> None:
    async with Client(stack) as first, Client(stack) as second:
        confirm = await first.start()
        session = confirm["session_id"]
        fresh = await second.start(session + "\n", confirm["signature"])
        assert fresh["session_id"] != session and SESSION.fullmatch(fresh["session_id"])


async def test_control_and_invisible_characters_are_stripped(stack: Any) -> None:
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        assert await client.say(session, "bon\x00jour\u202e\u200b\x1b[31m")
    said = await asyncio.to_thread(user_texts, stack, session)
    assert said == ["bonjour[31m"]


async def test_metadata_over_4_kb_gets_a_french_answer_and_a_huge_packet_is_cut(
    stack: Any,
) -> None:
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        reply = await client.say(session, "bonjour", metadata={"x": "a" * 5000})
        assert reply["text"] == METADATA_REFUSED
        assert (await client.say(session, "bonjour", metadata={"page": "/aide"}))["text"]
    said = await asyncio.to_thread(user_texts, stack, session)
    assert said == ["bonjour"]
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        with pytest.raises(ConnectionClosed):
            await client.emit(
                "user_uttered", {"message": "x", "session_id": session, "metadata": "a" * 5_000_000}
            )
            await client.silent(10)
            await client.emit("user_uttered", {"message": "bonjour", "session_id": session})
            await client.silent(2)
    async with Client(stack) as client:  # the server keeps serving
        session = (await client.start())["session_id"]
        assert (await client.say(session, "bonjour"))["text"]


async def test_bot_texts_carry_a_speech_token(stack: Any) -> None:
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        reply = await client.say(session, "j'ai oublié mon mot de passe")
    assert reply["text"] and re.fullmatch(r"\d+\.[0-9a-f]{64}", reply[SPEECH_TOKEN_FIELD])


async def test_an_unknown_origin_cannot_open_the_socket(stack: Any) -> None:
    with pytest.raises(InvalidStatusCode) as refused:
        async with Client(stack, origin=PIRATE):
            pass
    assert refused.value.status_code == 400
    for allowed in (stack.web_url, stack.embed_origin):
        async with Client(stack, origin=allowed) as client:
            assert (await client.start())["session_id"]


def test_socketio_grants_cors_to_the_widget_origins_only(stack: Any) -> None:
    url = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling"
    refused = httpx.get(url, headers={"origin": PIRATE}, timeout=30)
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    granted = httpx.get(url, headers={"origin": stack.web_url}, timeout=30)
    assert granted.status_code == 200
    assert granted.headers.get_list("access-control-allow-origin") == [stack.web_url]


async def turn(client: Client, session: str, message: str, last: Any) -> List[dict]:
    """Sends `message`; returns the bot messages up to the first one `last` accepts."""
    await client.emit("user_uttered", {"message": message, "session_id": session})
    messages: List[dict] = []
    while not messages or not last(messages[-1]):
        messages.append(await client.expect("bot_uttered"))
    return messages


async def test_an_answer_ends_with_autre_question_but_a_form_question_does_not(
    stack: Any,
) -> None:
    def more(message: dict) -> bool:
        return message.get("text") == "Autre question ?"

    def asks(words: str) -> Any:
        return lambda message: words in (message.get("text") or "") or more(message)

    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        answer = await turn(client, session, "/send_document", more)
        assert "Pour envoyer un document" in answer[0]["text"]
        titles = [button["title"] for button in answer[-1]["quick_replies"]]
        assert titles == ["Oui, voir les sujets", "Non, c'est tout"]
        assert answer[-1]["follow_up"] is True and answer[-1][SPEECH_TOKEN_FIELD]

        intro = await turn(
            client, session, "/start_actualisation", lambda m: m.get("quick_replies")
        )
        if "entraîner" in intro[-1]["text"]:
            await turn(client, session, "/affirm", asks("Avez-vous travaillé"))
        hours = await turn(client, session, "/affirm", asks("Combien d'heures"))
        salary = await turn(client, session, "35", asks("salaire brut"))
    # Inside the form, every turn ends with its question, never with "Autre question ?".
    assert not any(more(m) for m in intro + hours + salary)
    assert not hours[-1].get("quick_replies")
