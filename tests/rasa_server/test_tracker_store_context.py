"""The masking store knows the conversation and masks every kind of event.

Events are built with Rasa's own classes and serialised as the store serialises them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from passerelle.config import ROOT
from passerelle.names import CREDENTIALS_INTENT, CREDENTIALS_RESPONSE, LISTEN_ACTION
from passerelle.privacy import MASK
from rasa_server.tracker_store import MaskingSQLTrackerStore, mask_events
from tests.support.machine_postgres import PG_SERVER, fresh_database

SUMMARY_LINK = "https://aide.exemple.fr/resume/gAAAAABnFR7630006000011234567890189-0612345678_Qx=="


def user(text: str, intent: str = "inform", confidence: float = 0.5, **extra: Any) -> Event:
    parse_data = {
        "text": text.lower(),
        "intent": {"name": intent, "confidence": confidence},
        "entities": extra.pop("entities", []),
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    return UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data, **extra)


def bot(text: str, response: str = "utter_x", **data: Any) -> List[Event]:
    return [
        ActionExecuted(response),
        BotUttered(text, data or None, {"utter_action": response}),
    ]


WARNING = bot("Attention ! Ne donnez jamais votre mot de passe.", CREDENTIALS_RESPONSE)


def masked(history: List[Event], new: List[Event]) -> List[Dict[str, Any]]:
    return mask_events([e.as_dict() for e in history], [e.as_dict() for e in new])


def texts(events: List[Dict[str, Any]]) -> List[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def test_a_secret_sent_alone_after_an_announcement_is_masked_whole() -> None:
    history = [user("je vais vous donner mon mot de passe"), *bot("D'accord.")]
    events = masked(history, [user("lapin bleu", entities=[_entity("bleu", 6, 10)])])
    assert texts(events) == [MASK]
    assert events[0]["parse_data"]["text"] == MASK
    assert events[0]["parse_data"]["entities"][0]["value"] == MASK
    assert "lapin" not in json.dumps(events)


def test_the_message_after_the_credentials_warning_is_masked_whole() -> None:
    history = [user("mon mdp c'est Soleil2024", CREDENTIALS_INTENT, 0.98), *WARNING]
    assert texts(masked(history, [user("chat noir")])) == [MASK]


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("oui", "affirm", 0.99),
        ("non merci", "deny", 0.95),
        ("35 heures", "inform", 0.9),
        ("comment je change mon mot de passe ?", "forgot_password", 0.97),
    ],
)
def test_what_is_clearly_something_else_is_kept(text: str, intent: str, confidence: float) -> None:
    history = [user("mon mdp c'est Soleil2024", CREDENTIALS_INTENT, 0.98), *WARNING]
    assert texts(masked(history, [user(text, intent, confidence)])) == [text]


def test_the_bot_s_next_question_ends_the_expectation() -> None:
    """The form asks its question again after the warning: the answer is an answer."""
    history = [
        user("mon mdp c'est Soleil2024", CREDENTIALS_INTENT, 0.98),
        *WARNING,
        *bot("Avez-vous fait un stage ce mois-ci ?", "utter_ask_internship"),
    ]
    assert texts(masked(history, [user("j'en ai fait un", "inform", 0.6)])) == ["j'en ai fait un"]


def test_an_unsure_classifier_does_not_unmask() -> None:
    history = [user("voici mon code"), *bot("D'accord.")]
    assert texts(masked(history, [user("Maison 75", "greet", 0.99)])) == [MASK]


def test_every_event_type_and_metadata_are_masked() -> None:
    phone, iban, card = "06 12 34 56 78", "FR76 3000 6000 0112 3456 7890 189", "4970101234567890"
    new = [
        SessionStarted(metadata={f"tel {phone}": f"iban {iban}"}),
        ActionExecuted(LISTEN_ACTION, metadata={"note": f"carte {card}"}),
        user(f"mon numéro {phone}", metadata={"from": f"mdp: Soleil2024 {card}"}),
        SlotSet("note", {"iban": iban, "list": [f"carte {card}"]}),
        ActionExecuted("action_x", metadata={card: "clé"}),
        BotUttered(f"Appelez le {phone}", {"custom": {"iban": iban}}, {"extra": card}),
    ]
    raw = json.dumps(masked([], new), ensure_ascii=False)
    for secret in (phone, iban, card, "Soleil2024", "0612345678"):
        assert secret not in raw
    assert raw.count(MASK) >= 9
    for data in masked([], new):  # Rasa can still read what is written
        Event.from_parameters(data)


def test_what_was_cut_out_is_chased_in_the_same_turn() -> None:
    """A slot filled from the secret, and a bot message quoting it, lose it too."""
    history = [user("voici mon code"), *bot("D'accord.")]
    new = [
        user("482 913"),
        SlotSet("hours_worked", 482913.0),
        SlotSet("note", "482913"),
        *bot("Vous avez écrit 482913."),
        SlotSet("hours_worked", 35.0),
    ]
    events = masked(history, new)
    assert [e.get("value") for e in events if e["event"] == "slot"] == [MASK, MASK, 35.0]
    assert "482913" not in json.dumps(events)


def test_the_summary_link_is_never_touched() -> None:
    new = [
        *bot("Votre récapitulatif :", "utter_actualisation_summary", summary_url=SUMMARY_LINK),
        user(f"j'ai ouvert {SUMMARY_LINK} et mon mdp c'est Soleil2024"),
        SlotSet("summary_url", SUMMARY_LINK),
    ]
    before = json.dumps([event.as_dict() for event in new])
    raw = json.dumps(masked([], new))
    assert raw.count(SUMMARY_LINK) >= before.count(SUMMARY_LINK) >= 3
    assert raw.count("/resume/") == raw.count(SUMMARY_LINK)  # every link whole
    assert "Soleil2024" not in raw


def _entity(value: str, start: int, end: int) -> Dict[str, Any]:
    return {"entity": "x", "start": start, "end": end, "value": value, "extractor": "x"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    if request.param == "sqlite":
        result = MaskingSQLTrackerStore(
            domain=Domain.load(str(ROOT / "domain.yml")), url=f"sqlite:///{tmp_path / 'c.db'}"
        )
        yield result
        result.engine.dispose()
        return
    with fresh_database(create=False) as name:
        result = MaskingSQLTrackerStore(
            domain=Domain.load(str(ROOT / "domain.yml")),
            url=f"{PG_SERVER}/{name}?login_db=postgres",
        )
        yield result
        result.engine.dispose()


async def test_the_store_remembers_the_announcement_across_saves(store: Any) -> None:
    """Turn by turn, as Rasa saves: the second turn's context comes from the stored rows."""
    sender = f"test-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker.from_events(
        sender,
        [ActionExecuted(LISTEN_ACTION), user("je vous donne mon mot de passe"), *bot("Ok.")],
    )
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    tracker.update(user("Fleur\u00a02019"))
    tracker.update(ActionExecuted(LISTEN_ACTION))
    await store.save(tracker)
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender}
        ).fetchall()
    raw = "\n".join(row.data for row in rows)
    assert "Fleur" not in raw and "2019" not in raw
    assert texts([json.loads(row.data) for row in rows]) == [
        "je vous donne mon mot de passe",
        MASK,
    ]


def test_a_message_without_text_stays_without_text() -> None:
    event = UserUttered(None, {"name": "greet", "confidence": 1.0})
    data = masked([], [event])[0]
    assert data["text"] is None
    Event.from_parameters(data)
