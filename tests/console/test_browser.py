"""The console in real headless Chromium: find who needs help, follow it up, label, funnel."""

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
from tests.console.conftest import COUNSELLOR, PASSWORD, Fixture, password_hash, write
from tests.console.test_stuck_and_inbox import LOOPING, looping_on_the_hourly_rate
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
def test_counsellor_finds_who_needs_help_and_follows_it_up(
    console_url: str, engine: sa.engine.Engine, fixture_store: Fixture
) -> None:
    write(engine, LOOPING, looping_on_the_hourly_rate(fixture_store.now - 7200).events)
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
        assert page.get_by_text("Bloqué à : salaire horaire").is_visible()
        assert "Mot de passe oublié" in page.locator("table.liste").inner_text()
        shot(page, "2-liste")

        # The person gives their code at the desk.
        page.get_by_label("Code de la personne, ou mots de ses messages").fill("k7m 4qr")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**q=k7m**")
        rows = page.locator("table.liste tbody tr")
        assert rows.count() == 1
        shot(page, "3-recherche-code")
        rows.first.get_by_role("link").first.click()
        page.wait_for_url("**/conversation?id=" + LOOPING)
        assert page.get_by_text("Bloqué à : salaire horaire").is_visible()
        page.get_by_label("Statut").select_option("en_cours")
        page.get_by_label("Motif").select_option("actualisation")
        page.get_by_label("Suivi par").fill("Paul")
        page.get_by_role("button", name="Enregistrer le suivi").click()
        page.wait_for_url("**suivi=ok**")
        assert page.get_by_text(
            "En cours · Bloqué dans l'actualisation · suivi par Paul"
        ).is_visible()
        shot(page, "4-conversation-suivie")

        page.get_by_role("link", name="Conversations").click()
        page.get_by_label("Suivi", exact=True).select_option("en_cours")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**suivi=en_cours**")
        assert page.locator("table.liste tbody tr").count() == 1
        page.locator("table.liste thead").get_by_role("link", name="Non compris").click()
        page.wait_for_url("**tri=incompris**")
        assert page.locator("th[aria-sort=descending]").inner_text().startswith("Non compris")
        shot(page, "5-tri-non-compris")

        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Non compris").click()
        page.wait_for_url("**/incompris")
        assert page.get_by_text("Question répétée : salaire horaire").first.is_visible()
        shot(page, "6-messages-non-compris")

        page.get_by_role("link", name="Journal").click()
        assert page.get_by_text("confié à Paul").is_visible()

        page.get_by_role("link", name="Statistiques").click()
        assert page.locator("svg").count() == 4
        shot(page, "7-statistiques")
        page.locator('svg a[href*="arret=gross_salary"]').first.click()
        page.wait_for_url("**arret=gross_salary**")
        assert page.get_by_text("Bloqué à : salaire horaire").is_visible()
        shot(page, "8-arretees-au-salaire")
        browser.close()
    assert problems == []
