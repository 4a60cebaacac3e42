"""The notices and the widget's start configuration, through a test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from passerelle.config import load_settings
from passerelle.domain import load_domain
from passerelle.signing import speech_token_valid
from web.app import create_app
from web.pages import OFFICIAL_SITES, text_variant
from web.tts import SpeechCache

ENV = {"RASA_TOKEN": "test-token", "PASSERELLE_SECRET_KEY": "test-secret"}


def client(tmp_path: Path, **extra: str) -> TestClient:
    app = create_app(load_settings({**ENV, **extra}), SpeechCache(tmp_path / "tts"))
    return TestClient(app, base_url="http://127.0.0.1:8000")


def test_start_configuration_carries_the_greeting_links_and_notices(tmp_path: Path) -> None:
    response = client(tmp_path, PUBLIC_URL="https://aide.exemple.fr/").get("/api/widget")
    assert response.status_code == 200
    config = response.json()
    greeting = text_variant("utter_greet")
    assert config["greeting"]["text"] == greeting["text"]
    assert [b["title"] for b in config["greeting"]["buttons"]] == [
        b["title"] for b in greeting["buttons"]
    ]
    assert config["links"] == {
        "origins": ["https://aide.exemple.fr"],
        "sites": list(OFFICIAL_SITES),
    }
    assert config["pages"] == {
        "privacy": "https://aide.exemple.fr/confidentialite",
        "accessibility": "https://aide.exemple.fr/accessibilite",
    }
    assert config["retention_days"] == 90
    # "Écouter" reads the greeting too: it carries a speech token, as the bot's texts do.
    assert speech_token_valid("test-secret", greeting["text"], config["greeting"]["speech_token"])


def test_official_sites_are_the_ones_the_bot_names() -> None:
    """Every site named in a bot text is an official one the widget turns into a link."""
    named = set()
    for variants in load_domain()["responses"].values():
        for variant in variants:
            for word in (variant.get("text") or "").split():
                if word.rstrip(".,;").endswith(".fr"):
                    named.add(word.rstrip(".,;"))
    assert named and named <= set(OFFICIAL_SITES)


@pytest.mark.parametrize(
    ("env", "days", "minutes", "link", "sound"),
    [
        ({}, "90 jours", "11 minutes", "48 heures", "60 minutes"),
        (
            {
                "RETENTION_DAYS": "30",
                "WIDGET_IDLE_MINUTES": "5",
                "SUMMARY_LINK_HOURS": "12",
                "TTS_CACHE_MINUTES": "20",
            },
            "30 jours",
            "6 minutes",
            "12 heures",
            "20 minutes",
        ),
    ],
)
def test_privacy_notice_says_what_the_settings_do(
    tmp_path: Path, env: dict, days: str, minutes: str, link: str, sound: str
) -> None:
    response = client(tmp_path, **env).get("/confidentialite")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="fr">' in page
    assert f"effacée au bout de {days}" in page
    assert f"après {minutes} sans rien faire" in page
    assert "L'effacement se fait tout seul, chaque jour." in page
    assert f"marche pendant {link}." in page and "jours.\nIl montre" not in page
    assert "Vos réponses sont chiffrées dans ce lien." in page
    assert f"Il est effacé au bout de {sound}." in page
    for masked in ("mots de passe", "identifiants France Travail", "IBAN", "sécurité sociale"):
        assert masked in page
    assert "ne dépose pas de cookie" in page
    assert "set-cookie" not in response.headers
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_accessibility_statement_is_honest_about_its_state(tmp_path: Path) -> None:
    response = client(tmp_path).get("/accessibilite")
    assert response.status_code == 200
    page = response.text
    assert "Déclaration d'accessibilité" in page
    assert "non conforme" in page and "pas encore été audité" in page
    assert "Défenseur des droits" in page
    assert 'aria-current="page"' in page


def test_notices_link_back_to_the_chat_and_to_each_other(tmp_path: Path) -> None:
    notice = client(tmp_path).get("/confidentialite").text
    assert 'href="/"' in notice and 'href="/accessibilite"' in notice
