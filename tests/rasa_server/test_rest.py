"""The running assistant over REST: answers, bad input, and no secret kept."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Optional

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


# --- who may use REST, and what it accepts -------------------------------------------------

PIRATE = "https://pirate.example"


def post_raw(stack, body: bytes, headers: Optional[dict] = None) -> httpx.Response:
    return httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        content=body,
        headers={"content-type": "application/json", **(headers or {})},
        timeout=60,
    )


def keeps_serving(stack) -> None:
    assert "J'ai oublié mon mot de passe" in texts(stack.say(new_sender(), "jai oublié mon mdp"))


def test_an_unknown_origin_gets_no_cors_grant_on_rest(stack) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    refused = httpx.options(url, headers={"origin": PIRATE, **preflight}, timeout=30)
    assert "access-control-allow-origin" not in refused.headers
    body = {"sender": new_sender(), "message": "bonjour"}
    posted = httpx.post(url, json=body, headers={"origin": PIRATE}, timeout=60)
    assert "access-control-allow-origin" not in posted.headers
    assert "access-control-allow-credentials" not in posted.headers
    granted = httpx.options(url, headers={"origin": stack.web_url, **preflight}, timeout=30)
    assert granted.headers["access-control-allow-origin"] == stack.web_url


@pytest.mark.parametrize("prefix", ["web-", "kiosque-"])
def test_anonymous_rest_cannot_use_the_widget_or_kiosk_ids(stack, prefix: str) -> None:
    sender = prefix + uuid.uuid4().hex
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "tu peux repeter"},
        timeout=60,
    )
    assert response.status_code == 403
    assert response.json() == {
        "erreur": "Les identifiants qui commencent par « web- » ou « kiosque- » sont réservés "
        "au widget et à la borne. Choisissez un autre identifiant de conversation."
    }
    tracker = stack.tracker(sender)
    assert not [event for event in tracker["events"] if event["event"] == "user"]
    keeps_serving(stack)


def test_the_kiosk_channel_uses_kiosk_ids_only(stack) -> None:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/kiosk/webhook",
        json={"sender": "web-" + uuid.uuid4().hex, "message": "bonjour"},
        headers={"Authorization": f"Bearer {stack.kiosk_token}"},
        timeout=60,
    )
    assert response.status_code == 400
    assert response.json() == {"erreur": "Sur ce canal, « sender » commence par « kiosque- »."}


@pytest.mark.parametrize(
    ("body", "status", "start"),
    [
        # An id followed by a line break (a `$` regex would let it through).
        ({"sender": "abc\n", "message": "bonjour"}, 400, "« sender » doit être un identifiant"),
        ({"sender": "web-" + "a" * 32 + "\n", "message": "bonjour"}, 400, "« sender » doit"),
        # Control, bidi and zero-width characters forge lines in the console's audit log.
        ({"sender": "abc\x1b[2J\rdef", "message": "bonjour"}, 400, "« sender » doit"),
        ({"sender": "abc\u202egnp.exe", "message": "bonjour"}, 400, "« sender » doit"),
        ({"sender": "ab\u200bc", "message": "bonjour"}, 400, "« sender » doit"),
        ({"sender": "a" * 129, "message": "bonjour"}, 400, "« sender » doit"),
        ({"sender": "a", "message": "bonjour", "metadata": [1]}, 400, "« metadata » doit"),
        # Metadata over 4 KB.
        (
            {"sender": "a", "message": "bonjour", "metadata": {"x": "a" * 5000}},
            413,
            "« metadata » est trop gros : 4 Ko au plus.",
        ),
    ],
    ids=["newline", "web id newline", "escape", "bidi", "zero width", "long", "list", "5 KB"],
)
def test_input_edges_are_refused_in_french(stack, body: dict, status: int, start: str) -> None:
    response = post_raw(stack, json.dumps(body).encode())
    assert response.status_code == status
    assert response.json()["erreur"].startswith(start)
    keeps_serving(stack)


def test_five_megabytes_of_metadata_are_refused_in_french(stack) -> None:
    body = {"sender": new_sender(), "message": "bonjour", "metadata": {"x": "a" * 5_000_000}}
    response = post_raw(stack, json.dumps(body).encode())
    assert response.status_code == 413  # refused by the server before the body is read
    assert response.json() == {"erreur": "La requête est trop grosse (1 Mo au plus)."}
    keeps_serving(stack)
    body["metadata"] = {"x": "a" * 300_000}  # read, then refused by the channel
    response = post_raw(stack, json.dumps(body).encode())
    assert response.status_code == 413
    assert response.json()["erreur"].startswith("La requête est trop grosse (256 Ko au plus).")
    keeps_serving(stack)


def test_a_caller_cannot_pick_the_channel_name(stack) -> None:
    sender = new_sender()
    body = {"sender": sender, "message": "bonjour", "input_channel": "kiosk"}
    assert post_raw(stack, json.dumps(body).encode()).status_code == 200
    users = [event for event in stack.tracker(sender)["events"] if event["event"] == "user"]
    assert [event["input_channel"] for event in users] == ["rest"]
