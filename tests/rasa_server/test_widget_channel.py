"""The widget's Rasa socket.io channel: session ids and the checks before Rasa sees a message."""

from __future__ import annotations

from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from passerelle.names import SPEECH_TOKEN_FIELD
from passerelle.signing import session_signature, speech_token_valid
from rasa_server.widget import (
    FOLLOW_UP_RESPONSE,
    MAX_MESSAGE_CHARS,
    TOO_LONG_MESSAGE,
    WidgetInput,
    WidgetOutput,
    filter_message,
    follow_up,
    needs_follow_up,
    new_session_id,
    read_metadata,
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
        SESSION + "\n",
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


KEY = "clé-de-test"


def channel() -> WidgetInput:
    return WidgetInput(allowed_origins=["http://127.0.0.1:8000"], secret_key=KEY)


def test_a_proven_session_comes_back_and_anything_else_gets_a_fresh_one(caplog) -> None:
    widget = channel()
    assert (
        widget.session_for({"session_id": SESSION, "signature": session_signature(KEY, SESSION)})
        == SESSION
    )
    for request in (
        {"session_id": SESSION},
        {"session_id": SESSION, "signature": "0" * 64},
        {"session_id": SESSION + "\n", "signature": session_signature(KEY, SESSION + "\n")},
        {"session_id": SESSION, "signature": session_signature("autre-clé", SESSION)},
    ):
        fresh = widget.session_for(request)
        assert fresh != SESSION and valid_session_id(fresh)
    assert valid_session_id(widget.session_for(None))
    assert valid_session_id(widget.session_for({"session_id": None}))
    assert "a new session is issued" in caplog.text
    assert SESSION not in caplog.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, {}),
        ({"page": "/aide"}, {"page": "/aide"}),
        ('{"page": "/aide"}', {"page": "/aide"}),
        ({"x": "a" * 5000}, None),
        ('{"x": "' + "a" * 5000 + '"}', None),
        ("a" * 5_000_000, None),
        ("pas du json", None),
        ([1, 2], None),
    ],
    ids=["none", "small", "string", "5 KB", "5 KB string", "5 MB", "not json", "list"],
)
def test_metadata_is_a_small_object(raw: object, expected: object) -> None:
    assert read_metadata(raw) == expected


class Emitted:
    def __init__(self) -> None:
        self.calls: List[tuple] = []

    async def emit(self, event: str, data: dict, room: str) -> None:
        self.calls.append((event, data, room))


async def test_every_bot_text_carries_its_speech_token() -> None:
    sio = Emitted()
    output = WidgetOutput(sio, "bot_uttered", KEY)  # type: ignore[arg-type]
    await output.send_text_with_buttons(
        SESSION, "Bonjour.\n\nQue voulez-vous ?", [{"title": "Oui", "payload": "/affirm"}]
    )
    texts = [data for _, data, _ in sio.calls]
    assert [data["text"] for data in texts] == ["Bonjour.", "Que voulez-vous ?"]
    for data in texts:
        assert speech_token_valid(KEY, data["text"], data[SPEECH_TOKEN_FIELD])
    assert {room for _, _, room in sio.calls} == {SESSION}


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ({"text": "Pour envoyer un document :", "utter_action": "utter_send_document"}, True),
        ({"text": "Le lien", "attachment": {"type": "link"}, "utter_action": "x"}, True),
        ({"text": "Répété", "utter_action": None}, True),
        ({"text": "Quel salaire ?", "utter_action": "utter_ask_gross_salary"}, False),
        ({"text": "Que faire ?", "buttons": [{"title": "A", "payload": "/a"}]}, False),
        ({"text": "Au revoir", "utter_action": "utter_goodbye"}, False),
        ({"text": "Autre question ?", "utter_action": FOLLOW_UP_RESPONSE}, False),
        (None, False),
    ],
)
def test_follow_up_only_after_an_answer_that_asks_nothing(last: dict, expected: bool) -> None:
    assert needs_follow_up(last) is expected


async def test_turn_ending_without_buttons_gets_autre_question_with_buttons() -> None:
    sio = Emitted()
    output = WidgetOutput(sio, "bot_uttered", KEY)  # type: ignore[arg-type]
    message = {"text": "Pour envoyer un document :", "utter_action": "utter_send_document"}
    await output.send_response(SESSION, dict(message))
    await output.end_turn(SESSION)
    [(_, answer, room), (event, more, _)] = sio.calls
    assert answer["text"] == "Pour envoyer un document :" and room == SESSION
    assert event == "bot_uttered" and more["text"] == follow_up()["text"] == "Autre question ?"
    assert [b["title"] for b in more["quick_replies"]] == [
        "Oui, voir les sujets",
        "Non, c'est tout",
    ]
    assert more["follow_up"] is True
    assert speech_token_valid(KEY, more["text"], more[SPEECH_TOKEN_FIELD])  # "Écouter" reads it


async def test_turn_ending_with_a_form_question_gets_nothing_more() -> None:
    sio = Emitted()
    output = WidgetOutput(sio, "bot_uttered", KEY)  # type: ignore[arg-type]
    ask = {"text": "Combien d'heures ?", "utter_action": "utter_ask_hours_worked"}
    await output.send_response(SESSION, dict(ask))
    await output.end_turn(SESSION)
    assert len(sio.calls) == 1
