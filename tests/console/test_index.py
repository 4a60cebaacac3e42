"""The summary index and the list filters, on a fixture store, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console import index
from console.index import Filters
from console.tables import followups
from console.transcript import day_of
from tests.console.conftest import DAY, Fixture, Talk, new_sender, write

ALL = {
    "web-aide-mdp",
    "web-perdu",
    "kiosque-fini",
    "kiosque-abandon",
    "rest-xss",
    "c2-encours",
    "vieux-1",
    "vieux-2",
}


def found(engine: sa.engine.Engine, fixture: Fixture, **params: str) -> set[str]:
    index.refresh(engine)
    filters = Filters.parse(params)
    assert not filters.errors, filters.errors
    with engine.connect() as conn:
        page = index.list_page(conn, filters, fixture.now)
    assert page.total == len(page.rows)
    return {row["sender_id"] for row in page.rows}


def test_summary_facts(engine: sa.engine.Engine, fixture_store: Fixture) -> None:
    index.refresh(engine)
    with engine.connect() as conn:
        perdu = index.summary_of(conn, "web-perdu")
        fini = index.summary_of(conn, "kiosque-fini")
    assert perdu is not None and fini is not None
    assert (perdu["channel"], perdu["turns"], perdu["fallbacks"], perdu["human_asked"]) == (
        "widget",
        3,
        2,
        True,
    )
    assert perdu["intents"] == "nlu_fallback human_handoff"
    assert (fini["channel"], fini["turns"], fini["actualisation"]) == ("kiosk", 4, "completed")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ALL),
        ({"canal": "widget"}, {"web-aide-mdp", "web-perdu"}),
        ({"canal": "borne"}, {"kiosque-fini", "kiosque-abandon"}),
        ({"canal": "rest"}, {"rest-xss", "c2-encours", "vieux-1", "vieux-2"}),
        ({"humain": "oui"}, {"web-perdu"}),
        ({"humain": "non"}, ALL - {"web-perdu"}),
        ({"incompris": "oui"}, {"web-perdu"}),
        ({"actualisation": "terminee"}, {"kiosque-fini"}),
        ({"actualisation": "abandonnee"}, {"kiosque-abandon"}),
        ({"actualisation": "en_cours"}, {"c2-encours"}),
        (
            {"actualisation": "aucune"},
            {"web-aide-mdp", "web-perdu", "rest-xss", "vieux-1", "vieux-2"},
        ),
        ({"sujet": "greet"}, {"web-aide-mdp", "vieux-1"}),
        ({"sujet": "forgot_password"}, {"web-aide-mdp"}),
        ({"tours_min": "3"}, {"web-perdu", "kiosque-fini", "kiosque-abandon"}),
        ({"tours_max": "1"}, {"rest-xss", "c2-encours", "vieux-1", "vieux-2"}),
        ({"q": "mot de passe"}, {"web-aide-mdp"}),
        ({"q": "OUBLIE"}, {"web-aide-mdp"}),
        ({"q": "conseiller"}, {"web-perdu"}),
        ({"q": "100%_"}, set()),
        ({"canal": "borne", "actualisation": "terminee"}, {"kiosque-fini"}),
        ({"canal": "widget", "sujet": "greet"}, {"web-aide-mdp"}),
    ],
)
def test_filters(
    engine: sa.engine.Engine, fixture_store: Fixture, params: dict, expected: set
) -> None:
    assert found(engine, fixture_store, **params) == expected


def test_date_range(engine: sa.engine.Engine, fixture_store: Fixture) -> None:
    now = fixture_store.now
    # Each conversation's first event is 2 s after its start (see Talk).
    start, end = day_of(now - 4 * DAY + 2), day_of(now - 2 * DAY + 2)
    got = found(engine, fixture_store, du=start, au=end)
    assert got == {"web-aide-mdp", "web-perdu", "kiosque-abandon"}


def test_followup_filter(engine: sa.engine.Engine, fixture_store: Fixture) -> None:
    with engine.begin() as conn:
        conn.execute(
            followups.insert().values(
                sender_id="rest-xss", status="en_cours", reason="autre", counsellor="marie", at=1.0
            )
        )
    assert found(engine, fixture_store, suivi="en_cours") == {"rest-xss"}
    assert found(engine, fixture_store, suivi="a_traiter") == set()
    assert found(engine, fixture_store, suivi="aucun") == ALL - {"rest-xss"}


def test_index_follows_new_events(engine: sa.engine.Engine, fixture_store: Fixture) -> None:
    assert found(engine, fixture_store, humain="oui") == {"web-perdu"}
    later = Talk(fixture_store.now - 1000)
    later.events = []
    later.user("un conseiller svp", "human_handoff").listen()
    write(engine, "web-aide-mdp", later.events)
    sender = new_sender()
    write(engine, sender, Talk(fixture_store.now - 50).user("salut", "greet").events)
    assert found(engine, fixture_store, humain="oui") == {"web-perdu", "web-aide-mdp"}
    assert sender in found(engine, fixture_store, sujet="greet")
    with engine.connect() as conn:
        assert index.summary_of(conn, "web-aide-mdp")["turns"] == 3


def test_pagination_is_complete_and_stable(
    engine: sa.engine.Engine, fixture_store: Fixture
) -> None:
    for number in range(60):
        write(
            engine,
            f"web-page-{number:03d}",
            Talk(fixture_store.now - number).user("a", "greet").events,
        )
    index.refresh(engine)
    seen: list[str] = []
    with engine.connect() as conn:
        for number in (1, 2):
            page = index.list_page(conn, Filters(page=number), fixture_store.now)
            assert page.total == 68 and page.pages == 2
            seen += [row["sender_id"] for row in page.rows]
    assert len(seen) == len(set(seen)) == 68
    assert (seen[0], seen[-1]) == ("web-page-000", "vieux-1")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"du": "2026-13-45"}, "La date de début n'est pas valide."),
        ({"canal": "fax"}, "Ce canal n'existe pas."),
        ({"tours_min": "beaucoup"}, "Le nombre de tours doit être un nombre entier."),
        ({"humain": "peut-être"}, "Choisissez oui ou non."),
        ({"page": "-3"}, "Le numéro de page n'est pas valide."),
    ],
)
def test_bad_filters_get_a_french_message(params: dict, message: str) -> None:
    filters = Filters.parse(params)
    assert any(error.startswith(message) for error in filters.errors)
