"""Login limits of the running console (`make run`'s process): a client cannot pick its
address with X-Forwarded-For, and a burst of logins runs a bounded number of argon2 checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Tuple

import httpx
import pytest

from console.auth import MAX_CONCURRENT_CHECKS
from passerelle.config import ROOT
from tests.conftest import Stack
from tests.support.processes import children_of, memory_kib, reset_peak_memory, service

pytestmark = pytest.mark.stack
PASSWORD = "un mot de passe solide"
ARGON2_KIB = 64 * 1024  # memory of one argon2 check (argon2-cffi's default)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_counsellor(stack: Stack, name: str) -> None:
    created = subprocess.run(
        [sys.executable, "-m", "console.cli", "add-counsellor", name],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=dict(os.environ, PASSERELLE_DB_URL=stack.db_url, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert created.returncode == 0, created.stderr


def login_form(client: httpx.Client) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    return CSRF.search(page.text).group(1)


def keeps_serving(stack: Stack) -> None:
    assert httpx.get(f"{stack.console_url}/health", timeout=30).status_code == 200
    assert httpx.get(f"{stack.console_url}/login", timeout=30).status_code == 200


def test_rotating_x_forwarded_for_does_not_escape_the_limit(stack: Stack) -> None:
    add_counsellor(stack, "securite")
    statuses = []
    with httpx.Client(base_url=stack.console_url, timeout=60) as client:
        for attempt in range(9):
            csrf = login_form(client)
            response = client.post(
                "/login",
                data={"nom": "securite", "mot_de_passe": "mauvais mot de passe", "csrf": csrf},
                headers={"X-Forwarded-For": f"203.0.113.{attempt + 1}"},
            )
            statuses.append(response.status_code)
        assert "Trop d&#39;essais. Réessayez dans 15 minutes." in response.text
    assert statuses == [401] * 5 + [429] * 4, statuses
    keeps_serving(stack)


def test_fifty_parallel_logins_run_at_most_n_argon2_checks(stack: Stack) -> None:
    console = service(children_of(stack.pid), "console")
    clients = [httpx.Client(base_url=stack.console_url, timeout=120) for _ in range(50)]
    forms = [login_form(client) for client in clients]
    reset_peak_memory(console)
    before = memory_kib(console)
    barrier = threading.Barrier(50)

    def attempt(number: int) -> Tuple[int, str]:
        barrier.wait()
        data = {
            "nom": f"inconnu-{number}",
            "mot_de_passe": "essai au hasard",
            "csrf": forms[number],
        }
        response = clients[number].post("/login", data=data)
        return response.status_code, response.text

    try:
        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(attempt, range(50)))
    finally:
        for client in clients:
            client.close()
    after = memory_kib(console)
    statuses = [status for status, _ in results]
    growth = after["VmHWM"] - before["VmRSS"]
    print(
        f"\nN = {MAX_CONCURRENT_CHECKS} argon2 checks at once (64 MiB each). 50 parallel logins: "
        f"{statuses.count(401)} checked (401), {statuses.count(503)} told to retry (503); "
        f"console peak memory {growth / 1024:.0f} MiB above its resting size "
        f"({growth / ARGON2_KIB:.1f} times one check's 64 MiB)"
    )
    assert set(statuses) <= {401, 503}, statuses
    assert statuses.count(401) >= 1
    busy = next(text for status, text in results if status == 503)
    assert "Trop de connexions à la fois. Réessayez dans un instant." in busy
    # Unbounded, 50 checks would take 3 GiB; bounded, the peak stays within N checks (plus
    # the request handling's own few MiB).
    assert growth <= MAX_CONCURRENT_CHECKS * ARGON2_KIB + 48 * 1024, growth
    keeps_serving(stack)
    add_counsellor(stack, "apres-rafale")
    with httpx.Client(base_url=stack.console_url, timeout=60) as client:
        data = {"nom": "apres-rafale", "mot_de_passe": PASSWORD, "csrf": login_form(client)}
        assert client.post("/login", data=data).status_code == 303
