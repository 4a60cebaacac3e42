"""The printable actualisation summary: valid, forged and hostile tokens (test client)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from passerelle.config import load_settings
from passerelle.summary import make_summary_token
from web.summary import TEMPLATES_DIR, summary_routes

CONFIG = load_settings({"PASSERELLE_SECRET_KEY": "test-key", "RASA_TOKEN": "test-token"})

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


def test_print_assets_served() -> None:
    css = client().get("/static/summary.css")
    assert css.status_code == 200 and "@media print" in css.text
    script = client().get("/static/summary.js")
    assert script.status_code == 200 and "window.print" in script.text
