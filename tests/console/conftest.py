"""Fixture stores for the console: Rasa's real `events` table with known conversations.

Every store test runs twice: on SQLite and on the real PostgreSQL at 127.0.0.1:5432
(a database created for the test session and dropped at its end).
"""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from starlette.testclient import TestClient

from console.app import create_app
from console.tables import METADATA, counsellors, create_console_tables
from passerelle.config import load_settings
from passerelle.shortcode import CODE_SLOT, new_code
from tests.support.machine_postgres import PG_SERVER, fresh_database

DAY = 86_400.0
PASSWORD = "un mot de passe solide"
COUNSELLOR = "marie"
RASA_EVENTS = SQLTrackerStore.SQLEvent.__table__


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with fresh_database("passerelle_console_test") as name:
        yield f"{PG_SERVER}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'passerelle.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.engine.Engine]:
    """An empty store with Rasa's `events` table created by Rasa's own model."""
    engine = sa.create_engine(db_url, future=True)
    METADATA.drop_all(engine)
    RASA_EVENTS.drop(engine, checkfirst=True)
    RASA_EVENTS.create(engine)
    create_console_tables(engine)
    yield engine
    engine.dispose()


def write(engine: sa.engine.Engine, sender_id: str, events: list[Event]) -> None:
    """Stores events exactly as Rasa's SQLTrackerStore.save does."""
    rows = []
    for event in events:
        data = event.as_dict()
        rows.append(
            {
                "sender_id": sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            }
        )
    with engine.begin() as conn:
        conn.execute(RASA_EVENTS.insert(), rows)


class Talk:
    """Builds a conversation's events with increasing timestamps."""

    def __init__(self, start: float, code: str | None = None) -> None:
        self.clock = start
        # As actions/session.py starts a session: the code in a slot and sent to the person.
        self.code = code or new_code()
        self.events: list[Event] = [
            ActionExecuted("action_session_start", timestamp=self.tick()),
            SessionStarted(timestamp=self.tick()),
            SlotSet(CODE_SLOT, self.code, timestamp=self.tick()),
            BotUttered(None, {"custom": {CODE_SLOT: self.code}}, timestamp=self.tick()),
            ActionExecuted("action_listen", timestamp=self.tick()),
        ]

    def tick(self) -> float:
        self.clock += 2.0
        return self.clock

    def user(self, text: str, intent: str, confidence: float = 0.9) -> Talk:
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text}
        self.events.append(
            UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=self.tick())
        )
        return self

    def bot(self, action: str, text: str) -> Talk:
        self.events.append(ActionExecuted(action, timestamp=self.tick()))
        self.events.append(BotUttered(text, {}, timestamp=self.tick()))
        return self

    def action(self, name: str) -> Talk:
        self.events.append(ActionExecuted(name, timestamp=self.tick()))
        return self

    def listen(self) -> Talk:
        return self.action("action_listen")

    def slot(self, name: str, value: Any) -> Talk:
        self.events.append(SlotSet(name, value, timestamp=self.tick()))
        return self

    def loop(self, name: str | None) -> Talk:
        self.events.append(ActiveLoop(name, timestamp=self.tick()))
        return self


def actualisation(talk: Talk, questions: list[str], confirm: bool) -> Talk:
    talk.user("je veux m'actualiser", "start_actualisation")
    talk.action("actualisation_form").loop("actualisation_form")
    for question in questions:
        talk.slot("requested_slot", question).bot(f"utter_ask_{question}", "Question ?").listen()
        talk.user("non", "deny").action("actualisation_form").slot(question, False)
    if confirm:
        talk.slot("declaration_confirmed", True)
    talk.slot("requested_slot", None).loop(None).listen()
    return talk


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class Fixture:
    """The known conversations and when "now" is."""

    now: float

    def load(self, engine: sa.engine.Engine) -> None:
        now = self.now
        for sender, events in self.conversations(now).items():
            write(engine, sender, events)

    @staticmethod
    def conversations(now: float) -> dict[str, list[Event]]:
        talks: dict[str, Talk] = {}
        talks["web-aide-mdp"] = (
            Talk(now - 2 * DAY)
            .user("bonjour", "greet")
            .bot("utter_greet", "Bonjour.")
            .listen()
            .user("j'ai oublié mon mot de passe", "forgot_password")
            .bot("utter_forgot_password", "Cliquez sur « J'ai oublié mon mot de passe ».")
            .listen()
        )
        talks["web-perdu"] = (
            Talk(now - 3 * DAY)
            .user("blablabla", "nlu_fallback", 0.2)
            .action("action_nlu_fallback")
            .bot("utter_not_understood", "Je n'ai pas compris.")
            .listen()
            .user("zzz", "nlu_fallback", 0.1)
            .action("action_nlu_fallback")
            .bot("utter_offer_human", "Voulez-vous parler à un conseiller ?")
            .listen()
            .user("je veux parler à un conseiller", "human_handoff")
            .bot("utter_human_handoff", "Appelez le 3949.")
            .listen()
        )
        talks["kiosque-fini"] = actualisation(
            Talk(now - 1 * DAY), ["worked", "internship", "still_seeking"], confirm=True
        )
        talks["kiosque-abandon"] = actualisation(
            Talk(now - 4 * DAY), ["worked", "hours_worked"], confirm=False
        )
        talks["rest-xss"] = (
            Talk(now - 5 * DAY)
            .user(f"{XSS} mon identifiant est [masqué]", "forgot_identifier", 0.55)
            .bot("utter_forgot_identifier", "Votre identifiant est sur vos courriers.")
            .listen()
        )
        in_progress = Talk(now - 600).user("m'actualiser", "start_actualisation")
        in_progress.action("actualisation_form").loop("actualisation_form")
        in_progress.slot("requested_slot", "worked").bot(
            "utter_ask_worked", "Avez-vous travaillé ?"
        )
        talks["c2-encours"] = in_progress.listen()
        talks["vieux-1"] = (
            Talk(now - 120 * DAY).user("bonjour", "greet").bot("utter_greet", "Bonjour.").listen()
        )
        talks["vieux-2"] = (
            Talk(now - 91 * DAY)
            .user("au revoir", "goodbye")
            .bot("utter_goodbye", "Au revoir.")
            .listen()
        )
        return {sender: talk.events for sender, talk in talks.items()}


@pytest.fixture
def fixture_store(engine: sa.engine.Engine) -> Fixture:
    fixture = Fixture(now=time.time())
    fixture.load(engine)
    return fixture


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


@pytest.fixture
def app_client(engine: sa.engine.Engine, db_url: str) -> Iterator[TestClient]:
    cfg = load_settings({"PASSERELLE_DB_URL": db_url, "PASSERELLE_SECRET_KEY": "test-secret"})
    app = create_app(cfg, engine)
    # One argon2 hash for the whole session: hashing is deliberately slow.
    with engine.begin() as conn:
        conn.execute(
            counsellors.insert().values(
                name=COUNSELLOR, password_hash=password_hash(), created_at=time.time()
            )
        )
    with TestClient(app, follow_redirects=False) as client:
        yield client


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "formulaire sans jeton CSRF"
    return found.group(1)


def login(client: TestClient, name: str = COUNSELLOR, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login", data={"nom": name, "mot_de_passe": password, "csrf": csrf_of(page.text)}
    )


@pytest.fixture
def logged_in(app_client: TestClient, fixture_store: Fixture) -> TestClient:
    response = login(app_client)
    assert response.status_code == 303, response.text
    return app_client


def new_sender() -> str:
    return f"web-{uuid.uuid4().hex[:8]}"
