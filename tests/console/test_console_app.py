"""Console web app through a test client: login, refusals, CSRF, escaping, flags, notes, audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from console import auth
from console.app import PUBLIC_PATHS
from console.tables import (
    audit,
    create_console_tables,
    followups,
    legacy_flags,
    notes,
    sessions,
)
from tests.console.conftest import COUNSELLOR, PASSWORD, XSS, Fixture, csrf_of, login

PRIVATE_MARKERS = ("web-perdu", "kiosque-fini", "rest-xss", "conseiller")


def routes_of(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, read from the app itself."""
    found = []
    for route in client.app.routes:
        if isinstance(route, Route):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    found.append((method, route.path))
        elif isinstance(route, Mount):
            found.append(("GET", route.path + "/console.css"))
    return found


def test_every_route_needs_a_counsellor(app_client: TestClient, fixture_store: Fixture) -> None:
    routes = routes_of(app_client)
    assert len(routes) >= 12
    public = set()
    for method, path in routes:
        response = app_client.request(method, path, params={"id": "web-perdu"})
        if path in PUBLIC_PATHS or path.startswith("/static"):
            public.add(path)
            continue
        assert response.status_code in (303, 403), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login?suite=")
        assert not any(marker in response.text for marker in PRIVATE_MARKERS), path
    assert public == {"/health", "/login", "/static/console.css"}
    assert app_client.get("/health").status_code == 200


def test_login_then_pages_open(app_client: TestClient, fixture_store: Fixture) -> None:
    response = login(app_client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    for path in ("/", "/stats", "/audit", "/conversation?id=web-perdu", "/export.csv"):
        assert app_client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("name", "password"), [(COUNSELLOR, "mauvais mot de passe"), ("inconnu", PASSWORD)]
)
def test_wrong_password_is_refused(
    app_client: TestClient, fixture_store: Fixture, name: str, password: str
) -> None:
    response = login(app_client, name, password)
    assert response.status_code == 401
    assert "Nom ou mot de passe incorrect." in response.text
    assert "console_session" not in response.headers.get("set-cookie", "")
    assert app_client.get("/").status_code == 303


def test_login_throttled_after_five_failures(
    app_client: TestClient, fixture_store: Fixture
) -> None:
    for _ in range(auth.MAX_FAILURES):
        assert login(app_client, COUNSELLOR, "mauvais mot de passe").status_code == 401
    response = login(app_client)
    assert response.status_code == 429
    assert "Trop d&#39;essais. Réessayez dans 15 minutes." in response.text


def test_login_form_without_csrf_is_refused(app_client: TestClient, fixture_store: Fixture) -> None:
    app_client.get("/login")
    response = app_client.post("/login", data={"nom": COUNSELLOR, "mot_de_passe": PASSWORD})
    assert response.status_code == 403
    assert app_client.get("/").status_code == 303


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/conversation/suivi", {"id": "web-perdu", "statut": "en_cours", "motif": "autre"}),
        ("/conversation/note", {"id": "web-perdu", "texte": "à rappeler"}),
        ("/logout", {}),
    ],
)
def test_forms_without_csrf_are_refused(
    logged_in: TestClient, engine: sa.engine.Engine, path: str, data: dict
) -> None:
    for token in (None, "faux-jeton"):
        sent = dict(data, csrf=token) if token else data
        response = logged_in.post(path, data=sent)
        assert response.status_code == 403
        assert "Le formulaire a expiré" in response.text
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(followups)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(notes)).scalar() == 0
    assert logged_in.get("/").status_code == 200


def test_transcript_escapes_html_and_shows_masks(logged_in: TestClient) -> None:
    page = logged_in.get("/conversation", params={"id": "rest-xss"})
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert '<mark class="masque">[masqué]</mark>' in page.text
    assert "forgot_identifier" in page.text and "(55&nbsp;%)" in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_transcript_shows_actualisation_answers(logged_in: TestClient) -> None:
    page = logged_in.get("/conversation", params={"id": "kiosque-fini"}).text
    assert "Réponses de l'actualisation" in page
    assert '<th scope="row">Déclaration confirmée</th><td>oui</td>' in page
    assert '<th scope="row">A travaillé</th><td>non</td>' in page
    assert "Réponse enregistrée" not in page


def test_unknown_conversation_is_a_french_404(logged_in: TestClient) -> None:
    page = logged_in.get("/conversation", params={"id": "personne"})
    assert page.status_code == 404
    assert "Cette conversation n&#39;existe pas" in page.text


def audit_lines(engine: sa.engine.Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [
            (row.counsellor, row.action, row.sender_id)
            for row in conn.execute(sa.select(audit).order_by(audit.c.id))
        ]


def test_followup_notes_and_audit(logged_in: TestClient, engine: sa.engine.Engine) -> None:
    page = logged_in.get("/conversation", params={"id": "web-perdu"})
    token = csrf_of(page.text)
    response = logged_in.post(
        "/conversation/suivi",
        data={"id": "web-perdu", "csrf": token, "statut": "a_traiter", "motif": "conseiller"},
    )
    assert response.status_code == 303
    response = logged_in.post(
        "/conversation/note", data={"id": "web-perdu", "csrf": token, "texte": "<b>À rappeler</b>"}
    )
    assert response.status_code == 303
    empty = logged_in.post(
        "/conversation/note", data={"id": "web-perdu", "csrf": token, "texte": " "}
    )
    assert "note=vide" in empty.headers["location"]
    page = logged_in.get("/conversation", params={"id": "web-perdu"}).text
    assert "À traiter · Demande un conseiller" in page and "&lt;b&gt;À rappeler&lt;/b&gt;" in page
    listed = logged_in.get("/", params={"suivi": "a_traiter"}).text
    assert "web-perdu" in listed and "kiosque-fini" not in listed

    # Another counsellor takes it, then closes it; the note is corrected.
    logged_in.post(
        "/conversation/suivi",
        data={
            "id": "web-perdu",
            "csrf": token,
            "statut": "en_cours",
            "motif": "conseiller",
            "responsable": "Paul",
        },
    )
    assert "web-perdu" in logged_in.get("/", params={"suivi": "en_cours"}).text
    with engine.connect() as conn:
        note_id = conn.execute(sa.select(notes.c.id)).scalar()
    response = logged_in.post(
        "/conversation/note/modifier",
        data={"id": "web-perdu", "csrf": token, "note": str(note_id), "texte": "Rappelée lundi"},
    )
    assert response.status_code == 303
    logged_in.post(
        "/conversation/suivi",
        data={
            "id": "web-perdu",
            "csrf": token,
            "statut": "traite",
            "motif": "conseiller",
            "responsable": "Paul",
        },
    )
    page = logged_in.get("/conversation", params={"id": "web-perdu"}).text
    assert "Traité · Demande un conseiller · suivi par Paul" in page
    assert "Rappelée lundi" in page and "À rappeler" not in page

    lines = audit_lines(engine)
    for action in (
        "ouverture",
        "suivi : à traiter",
        "motif : Demande un conseiller",
        "note",
        "suivi : en cours",
        "confié à Paul",
        "note modifiée",
        "suivi : traité",
    ):
        assert (COUNSELLOR, action, "web-perdu") in lines, action
    journal = logged_in.get("/audit").text
    assert "confié à Paul" in journal and "suivi : traité" in journal

    logged_in.post("/conversation/suivi", data={"id": "web-perdu", "csrf": token, "retirer": "1"})
    assert (COUNSELLOR, "suivi retiré", "web-perdu") in audit_lines(engine)
    assert "web-perdu" not in logged_in.get("/", params={"suivi": "traite"}).text


def test_old_flags_become_followups(engine: sa.engine.Engine) -> None:
    legacy_flags.create(engine)
    with engine.begin() as conn:
        conn.execute(legacy_flags.insert().values(sender_id="web-x", counsellor="marie", at=5.0))
    create_console_tables(engine)
    assert not sa.inspect(engine).has_table(legacy_flags.name)
    with engine.connect() as conn:
        row = conn.execute(sa.select(followups)).one()
    assert (row.sender_id, row.status, row.reason, row.counsellor, row.at) == (
        "web-x",
        "a_traiter",
        "signalee",
        "marie",
        5.0,
    )


def test_logout_ends_the_session(logged_in: TestClient) -> None:
    token = csrf_of(logged_in.get("/").text)
    response = logged_in.post("/logout", data={"csrf": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert logged_in.get("/").status_code == 303


def test_list_page_filters_and_escapes(logged_in: TestClient) -> None:
    page = logged_in.get("/", params={"humain": "oui"})
    assert page.status_code == 200
    assert "web-perdu" in page.text and "web-aide-mdp" not in page.text
    bad = logged_in.get("/", params={"canal": "<fax>", "q": XSS})
    assert bad.status_code == 200
    assert "Ce canal n&#39;existe pas." in bad.text and "<script>" not in bad.text


def test_stats_page_draws_svg(logged_in: TestClient) -> None:
    page = logged_in.get("/stats")
    assert page.status_code == 200
    assert page.text.count("<svg") == 4
    assert "<script" not in page.text
    assert "<td>Actualisation commencée</td><td>3</td>" in page.text
    assert "<td>Déclaration confirmée</td><td>1</td>" in page.text


@pytest.mark.parametrize(
    ("setting", "base_url", "secure"),
    [
        ("", "http://testserver", False),
        ("1", "http://testserver", True),
        ("", "https://testserver", True),
    ],
)
def test_secure_cookies_over_https_or_when_configured(
    engine: sa.engine.Engine, db_url: str, setting: str, base_url: str, secure: bool
) -> None:
    from console.app import create_app
    from passerelle.config import load_settings

    env = {"PASSERELLE_DB_URL": db_url, "PASSERELLE_SECRET_KEY": "s"}
    cfg = load_settings(dict(env, CONSOLE_COOKIE_SECURE=setting))
    with TestClient(create_app(cfg, engine), base_url=base_url) as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
    assert ("; secure" in cookie) is secure
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_idle_session_expires(logged_in: TestClient, engine: sa.engine.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sessions.update().values(last_seen=1.0))
    assert logged_in.get("/").status_code == 303


def test_unreadable_event_does_not_break_the_transcript(
    logged_in: TestClient, engine: sa.engine.Engine
) -> None:
    from tests.console.conftest import RASA_EVENTS

    with engine.begin() as conn:
        conn.execute(
            RASA_EVENTS.insert().values(
                sender_id="web-perdu", type_name="user", timestamp=2.0, data="{pas du json"
            )
        )
    page = logged_in.get("/conversation", params={"id": "web-perdu"})
    assert page.status_code == 200 and "je veux parler à un conseiller" in page.text
    assert logged_in.get("/").status_code == 200
