"""The console of `make run` shows what the real Rasa wrote, masked, to a logged-in counsellor."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from passerelle.config import ROOT
from tests.conftest import Stack

PASSWORD = "un mot de passe solide"
WAIT_S = 20.0


@pytest.mark.stack
def test_console_reads_the_running_assistant(stack: Stack) -> None:
    # A kiosk conversation: `kiosque-` ids are the kiosk channel's, opened with its key.
    sender = f"kiosque-console-{uuid.uuid4().hex[:8]}"
    for message in ("bonjour", "mon identifiant est 1234567A"):
        httpx.post(
            f"{stack.rasa_url}/webhooks/kiosk/webhook",
            json={"sender": sender, "message": message},
            headers={"Authorization": f"Bearer {stack.kiosk_token}"},
            timeout=60,
        ).raise_for_status()
    created = subprocess.run(
        [sys.executable, "-m", "console.cli", "add-counsellor", "lea"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=dict(os.environ, PASSERELLE_DB_URL=stack.db_url, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    with httpx.Client(base_url=stack.console_url, timeout=30) as client:
        assert client.get("/conversation", params={"id": sender}).status_code == 303
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        logged = client.post("/login", data={"nom": "lea", "mot_de_passe": PASSWORD, "csrf": token})
        assert logged.status_code == 303
        deadline = time.monotonic() + WAIT_S
        while True:
            page = client.get("/conversation", params={"id": sender})
            if page.status_code == 200 and "[masqué]" in page.text:
                break
            assert time.monotonic() < deadline, page.text[-2000:]
            time.sleep(0.5)
        assert "bonjour" in page.text and "1234567A" not in page.text
        listed = client.get("/", params={"canal": "borne"})
        assert sender in listed.text
