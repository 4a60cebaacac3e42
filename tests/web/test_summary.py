"""The printable actualisation summary: valid, forged and hostile tokens (test client)."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from passerelle.config import load_settings
from passerelle.summary import make_summary_token
from web.summary import TEMPLATES_DIR, summary_routes

ENV = {"PASSERELLE_SECRET_KEY": "test-key", "RASA_TOKEN": "test-token"}
CONFIG = load_settings(ENV)

STATIC_DIR = TEMPLATES_DIR.parent / "static"
ANSWERS = {
    "worked": True,
    "hours_worked": 35.0,
    "gross_salary": 1200.5,
    "internship": False,
    "sick_leave": True,
    "sick_leave_dates": "du 3 au 10 <script>alert(1)</script>",
    "maternity_leave": False,
    "retirement_pension": False,
    "invalidity_pension": False,
    "still_seeking": True,
}


def client() -> TestClient:
    app = Starlette(
        routes=[
            *summary_routes(CONFIG),
            Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
        ]
    )
    return TestClient(app)


def test_summary_shows_period_and_answers_escaped() -> None:
    token = make_summary_token(CONFIG.secret_key, "01/06/2019", "30/06/2019", ANSWERS)
    response = client().get(f"/resume/{token}")
    assert response.status_code == 200
    page = response.text
    assert "Vos réponses pour la période du 1er au 30 juin 2019 :" in page
    assert "<li>Travail : oui, 35 heures pour 1 200,50 € brut</li>" in page
    assert "<li>Stage : non</li>" in page
    assert "<li>Recherche d&#39;emploi : oui</li>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'id="print-button"' in page
    assert "onclick" not in page
    assert response.headers["cache-control"] == "no-store"


def test_bad_or_forged_token_gives_french_error_page() -> None:
    forged = make_summary_token("not-the-key", "01/06/2019", "30/06/2019", ANSWERS)
    for token in (forged, "abc", "x" * 500):
        response = client().get(f"/resume/{token}")
        assert response.status_code == 404
        assert "Récapitulatif introuvable" in response.text
        assert "Ce lien ne marche plus" in response.text


def test_expired_token_gives_french_error_page_with_the_duration() -> None:
    made = int(time.time()) - 48 * 3600 - 60
    old = make_summary_token(CONFIG.secret_key, "01/06/2019", "30/06/2019", ANSWERS, now=made)
    response = client().get(f"/resume/{old}")
    assert response.status_code == 404
    assert "Ce lien ne marche plus. Il a peut-être plus de 48 heures" in response.text
    assert "1 200" not in response.text and "35" not in response.text


def test_a_shorter_setting_makes_links_expire_sooner() -> None:
    short = load_settings({**ENV, "SUMMARY_LINK_HOURS": "2"})
    app = Starlette(routes=summary_routes(short))
    made = int(time.time()) - 3 * 3600
    token = make_summary_token(short.secret_key, "01/06/2019", "30/06/2019", ANSWERS, now=made)
    response = TestClient(app).get(f"/resume/{token}")
    assert response.status_code == 404
    assert "plus de 2 heures" in response.text
    fresh = make_summary_token(short.secret_key, "01/06/2019", "30/06/2019", ANSWERS)
    assert TestClient(app).get(f"/resume/{fresh}").status_code == 200


def test_altered_token_gives_french_error_page() -> None:
    token = make_summary_token(CONFIG.secret_key, "01/06/2019", "30/06/2019", ANSWERS)
    for position in (3, len(token) // 2, len(token) - 1):
        changed = "A" if token[position] != "A" else "B"
        altered = token[:position] + changed + token[position + 1 :]
        response = client().get(f"/resume/{altered}")
        assert response.status_code == 404
        assert "Récapitulatif introuvable" in response.text


def test_print_assets_served() -> None:
    css = client().get("/static/summary.css")
    assert css.status_code == 200 and "@media print" in css.text
    script = client().get("/static/summary.js")
    assert script.status_code == 200 and "window.print" in script.text
