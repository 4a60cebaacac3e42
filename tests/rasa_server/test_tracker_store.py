"""The masking tracker store writes no secret, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.tracker_store import MaskingSQLTrackerStore

SECRET = "Soleil2024!"
IDENTIFIER = "6106850F"


def _conversation(sender: str) -> DialogueStateTracker:
    text = f"mon mot de passe c'est {SECRET} et mon identifiant {IDENTIFIER}"
    parse_data = {
        "text": text,
        "intent": {"name": "disclose_credentials", "confidence": 0.97},
        "entities": [
            {"entity": "amount", "start": 23, "end": 34, "value": SECRET, "extractor": "x"}
        ],
        "intent_ranking": [{"name": "disclose_credentials", "confidence": 0.97}],
    }
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data),
            ActionExecuted("utter_disclose_credentials"),
            BotUttered("Ne donnez jamais votre mot de passe."),
            SlotSet("sick_leave_dates", f"mdp {SECRET}"),
            ActionExecuted("action_listen"),
            UserUttered("35 heures", {"name": "inform", "confidence": 0.9}),
        ],
    )
    return tracker


async def test_no_secret_reaches_the_database(db_url: str, domain: Domain) -> None:
    store = MaskingSQLTrackerStore(domain=domain, url=db_url)
    sender = f"test-{uuid.uuid4().hex[:8]}"
    await store.save(_conversation(sender))

    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, intent_name, data FROM events WHERE sender_id = :s"),
            {"s": sender},
        ).fetchall()
    raw = "\n".join(row.data for row in rows)
    assert len(rows) == 7
    assert SECRET not in raw
    assert "Soleil2024" not in raw
    assert IDENTIFIER not in raw
    user = json.loads(next(row.data for row in rows if row.type_name == "user"))
    assert user["text"] == "mon mot de passe c'est [masqué] et mon identifiant [masqué]"
    assert user["parse_data"]["text"] == user["text"]
    assert user["parse_data"]["entities"][0]["value"] == "[masqué]"
    assert {row.intent_name for row in rows if row.type_name == "user"} == {
        "disclose_credentials",
        "inform",
    }
    # Ordinary answers are stored as they were written.
    assert '"35 heures"' in raw

    retrieved = await store.retrieve(sender)
    assert retrieved is not None
    assert SECRET not in json.dumps(retrieved.current_state())
    assert retrieved.latest_message.text == "35 heures"
    store.engine.dispose()


async def test_saving_twice_appends_only_new_events(db_url: str, domain: Domain) -> None:
    store = MaskingSQLTrackerStore(domain=domain, url=db_url)
    sender = f"test-{uuid.uuid4().hex[:8]}"
    tracker = _conversation(sender)
    await store.save(tracker)
    tracker.update(BotUttered("Merci."))
    await store.save(tracker)
    with store.engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar()
    assert count == 8
    store.engine.dispose()


def test_empty_url_is_a_clear_french_error(domain: Domain) -> None:
    with pytest.raises(ValueError, match="PASSERELLE_DB_URL est vide"):
        MaskingSQLTrackerStore(domain=domain, url="")


def test_folded_parser_copy_cannot_leak_a_secret() -> None:
    from rasa_server.tracker_store import mask_event_data

    original = "mon mot de passe Soleil"
    event = UserUttered(
        original,
        {"name": "forgot_password", "confidence": 0.6},
        [],
        {"text": "mon mot de passe soleil", "intent": {"name": "forgot_password"}},
    )
    data = mask_event_data(event.as_dict())
    assert data["text"] == "mon mot de passe [masqué]"
    assert data["parse_data"]["text"] == "mon mot de passe [masqué]"
    assert "oleil" not in json.dumps(data)
