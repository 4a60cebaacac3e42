"""The console in real headless Chromium: log in, filter, open, flag, find it flagged."""

from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest
import sqlalchemy as sa
import uvicorn
from playwright.sync_api import Page, sync_playwright

from console.app import create_app
from console.tables import counsellors
from passerelle.config import ROOT, load_settings
from tests.conftest import free_port
from tests.console.conftest import COUNSELLOR, PASSWORD, password_hash
from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH

CHROMIUM = CHROMIUM_PATH
SHOTS = ROOT / "tests" / "out" / "screenshots"
START_TIMEOUT_S = 30.0


@pytest.fixture
def console_url(engine: sa.engine.Engine, db_url: str, fixture_store: object) -> Iterator[str]:
    cfg = load_settings({"PASSERELLE_DB_URL": db_url, "PASSERELLE_SECRET_KEY": "test-secret"})
    with engine.begin() as conn:
        conn.execute(
            counsellors.insert().values(
                name=COUNSELLOR, password_hash=password_hash(), created_at=time.time()
            )
        )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(cfg, engine), host="127.0.0.1", port=port, log_level="warning", ws="none"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "la console n'a pas démarré"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_counsellor_flags_a_conversation(console_url: str) -> None:
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page.on("console", lambda message: problems.append(message.text))
        page.goto(console_url + "/")
        assert page.url.startswith(console_url + "/login")
        page.get_by_label("Nom").fill(COUNSELLOR)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        shot(page, "1-connexion")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(console_url + "/")

        page.get_by_label("Conseiller demandé").select_option("oui")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**humain=oui**")
        rows = page.locator("table.liste tbody tr")
        assert rows.count() == 1
        assert "1 conversation." in page.locator(".compte").inner_text()
        shot(page, "2-filtre-conseiller-demande")

        rows.first.get_by_role("link", name="Ouvrir").click()
        page.wait_for_url("**/conversation?id=web-perdu")
        assert page.get_by_text("je veux parler à un conseiller").is_visible()
        page.get_by_role("button", name="Signaler cette conversation").click()
        page.wait_for_load_state()
        assert page.get_by_text("Signalée par marie").is_visible()
        shot(page, "3-conversation-signalee")

        page.get_by_role("link", name="Conversations").click()
        page.get_by_label("Signalée", exact=True).select_option("oui")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**signalee=oui**")
        flagged = page.locator("table.liste tbody tr")
        assert flagged.count() == 1
        assert "id=web-perdu" in flagged.get_by_role("link", name="Ouvrir").get_attribute("href")
        shot(page, "4-filtre-signalees")

        page.get_by_role("link", name="Statistiques").click()
        assert page.locator("svg").count() == 4
        shot(page, "5-statistiques")
        browser.close()
    assert problems == []
