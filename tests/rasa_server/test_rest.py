"""The running assistant over REST: answers, bad input, and no secret kept."""

from __future__ import annotations

import json
import sqlite3
import uuid

import httpx
import pytest

pytestmark = pytest.mark.stack


def texts(replies: list) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_forgotten_identifier_gets_the_recovery_steps(stack) -> None:
    # The README's curl example, as a person types it: no accents, no apostrophe.
    replies = stack.say(new_sender(), "j ai oublie mon identifiant")
    answer = texts(replies)
    assert "Connexion Candidat" in answer
    assert "J'ai oublié mon nom d'utilisateur" in answer
    assert "par mail ou par SMS" in answer
    assert "7 chiffres et 1 lettre" in answer
    assert "3949" in answer
    assert any(reply.get("buttons") for reply in replies)


def test_forgotten_password_then_repeat(stack) -> None:
    sender = new_sender()
    first = stack.say(sender, "jai oublié mon mdp")
    assert "J'ai oublié mon mot de passe" in texts(first)
    again = stack.say(sender, "tu peux repeter")
    assert [r.get("text") for r in again] == [r.get("text") for r in first]


GIBBERISH = [
    "zblorf kwix",
    "prout zglub",
    "qsdfgh jklmwx",
    "wxcvbn azerty poiuy",
    "grmbl tchak",
    "blip blop blup",
    "yxq zzv wkk",
]


def test_two_misunderstandings_offer_a_human(stack) -> None:
    # Which nonsense the classifier does not understand depends on training: ask it.
    not_understood = []
    for text in GIBBERISH:
        parsed = httpx.post(
            f"{stack.rasa_url}/model/parse",
            params={"token": stack.token},
            json={"text": text},
            timeout=30,
        ).json()
        if parsed["intent"]["name"] == "nlu_fallback":
            not_understood.append(text)
    assert len(not_understood) >= 2, "the fallback threshold no longer catches nonsense"
    sender = new_sender()
    first = texts(stack.say(sender, not_understood[0]))
    assert "pas bien compris" in first
    second = texts(stack.say(sender, not_understood[1]))
    assert "3949" in second
    assert "agence" in second


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "Votre message est vide"),
        ("   \n\t ", "Votre message est vide"),
        ("🙂🙂", "Votre message est vide"),
        ("x" * 10_000, "Votre message est trop long"),
        ("<img src=x onerror=alert(1)>", ""),
        ("bon\x00jour\x07", "Bonjour"),
    ],
)
def test_bad_messages_get_a_french_reply(stack, message: str, expected: str) -> None:
    replies = stack.say(new_sender(), message)
    assert replies, "the assistant must answer something"
    assert expected in texts(replies)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"", 400),
        (b"null", 400),
        (b"[1, 2]", 400),
        (b'{"sender": "a"}', 400),
        (b'{"message": "bonjour"}', 400),
        (b'{"sender": "a", "message": 12}', 400),
        (b'{"sender": "a", "message": null}', 400),
        (b'{"sender": "a", "message": "' + b"x" * 30_000 + b'"}', 413),
    ],
)
def test_malformed_requests_are_refused_in_french(stack, body: bytes, status: int) -> None:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        content=body,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status
    message = response.json()["erreur"]
    assert message and any(word in message for word in ("doit", "manque", "trop long"))
    # the server keeps serving
    assert stack.say(new_sender(), "bonjour")


def test_a_password_is_kept_nowhere(stack) -> None:
    sender = new_sender()
    secret = "Tournesol84!"
    replies = stack.say(sender, f"mon mot de passe c'est {secret}")
    assert "Ne donnez jamais votre mot de passe" in texts(replies)
    stack.say(sender, "mon identifiant est 6106850F")

    tracker = stack.tracker(sender)
    dumped = json.dumps(tracker)
    assert secret not in dumped
    assert "tournesol" not in dumped.lower()
    assert "6106850F" not in dumped and "6106850f" not in dumped
    assert "[masqué]" in dumped or "[masqu\\u00e9]" in dumped

    with sqlite3.connect(stack.db_path) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    stored = "\n".join(row[0] for row in rows)
    assert rows
    assert "tournesol" not in stored.lower()
    assert "6106850" not in stored
    for (data,) in rows:
        json.loads(data)  # nothing stored is corrupted


def test_http_api_needs_the_token(stack) -> None:
    url = f"{stack.rasa_url}/conversations/someone/tracker"
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, params={"token": "wrong"}, timeout=30).status_code == 401
    assert httpx.get(url, params={"token": stack.token}, timeout=30).status_code == 200
