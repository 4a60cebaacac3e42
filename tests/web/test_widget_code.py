"""The widget shows the conversation's short code; the console finds the conversation by it.

Real Chromium on a phone (390×844), against the running assistant (`make run`'s servers).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from passerelle.config import ROOT
from passerelle.shortcode import CODE_SLOT
from tests.support.widget_page import session_id, stored
from tests.web.test_widget_layout import PHONE, Person, browser, other_site  # noqa: F401

pytestmark = pytest.mark.stack

CODE_SHOWN = re.compile(r"Code à donner à l'accueil : ([2-9A-Z]{3}-[2-9A-Z]{3})")
PASSWORD = "un mot de passe solide"
WAIT_S = 20.0


def counsellor_client(stack: Any) -> httpx.Client:
    """A client logged in to the stack's console as a new counsellor."""
    name = f"accueil-{uuid.uuid4().hex[:6]}"
    created = subprocess.run(
        [sys.executable, "-m", "console.cli", "add-counsellor", name],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=dict(os.environ, PASSERELLE_DB_URL=stack.db_url, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    client = httpx.Client(base_url=stack.console_url, timeout=30)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    logged = client.post("/login", data={"nom": name, "mot_de_passe": PASSWORD, "csrf": token})
    assert logged.status_code == 303
    return client


@pytest.mark.parametrize("where", ["embedded", "standalone"])
def test_the_widget_shows_the_code_and_the_console_finds_it(
    stack: Any,
    browser: Any,  # noqa: F811
    other_site: str,  # noqa: F811
    where: str,
) -> None:
    person = Person(browser, PHONE, where, other_site if where == "embedded" else stack.web_url)
    try:
        page = person.page
        expect(page.locator(".pw-code")).to_be_hidden()  # no conversation yet, no code
        person.type("j'ai oublié mon mot de passe", "mot de passe")
        code_line = page.locator(".pw-code")
        expect(code_line).to_be_visible()
        found = CODE_SHOWN.fullmatch(code_line.inner_text().replace("\xa0", " "))
        assert found, code_line.inner_text()
        code = found.group(1)
        person.check_screen("code", also=[(".pw-code", code)])
        sender = session_id(page)
        assert stack.tracker(sender)["slots"][CODE_SLOT] == code
        assert stored(page)["code"] == code
        page.reload()
        expect(page.locator(".pw-code")).to_contain_text(code)  # kept with the conversation
    finally:
        person.close()

    client = counsellor_client(stack)
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            listed = client.get("/", params={"q": code.lower().replace("-", " ")}).text
            if sender in listed:
                break
            assert time.monotonic() < deadline, listed[-2000:]
            time.sleep(0.5)
        assert "<strong>1</strong> conversation." in listed
    finally:
        client.close()
