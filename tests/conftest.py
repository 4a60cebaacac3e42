"""Shared fixtures: the real domain, and the whole assistant running (`stack`)."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from passerelle.config import MODEL_PATH, ROOT, load_settings
from tests.support.supervised import StartError, supervised

OUT_DIR = ROOT / "tests" / "out"
# Real speech models and voices, for tests/voice and tests/kiosk.
pytest_plugins = ["tests.support.voice_fixtures"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Stack:
    """The running assistant, started by `python -m supervisor` as `make run` does."""

    rasa_url: str
    action_url: str
    web_url: str
    console_url: str
    token: str
    kiosk_token: str
    db_url: str
    db_path: Path
    log_path: Path
    # The supervisor's process id (its children are the services).
    pid: int = 0
    # An origin listed in WIDGET_EMBED_ORIGINS: a test may serve an embedding page there.
    embed_origin: str = ""

    def tracker(self, sender: str) -> dict:
        import httpx

        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def say(self, sender: str, message: str) -> list:
        import httpx

        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Starts Rasa, the action server, the widget and the console once per test session.

    Ports are free ones, so a developer's own `make run` is not disturbed; the
    conversations go to a temporary SQLite file.
    """
    work = tmp_path_factory.mktemp("stack")
    with running_stack(work) as result:
        yield result


@contextmanager
def running_stack(work: Path, db_url: str = "", log_name: str = "stack.log") -> Iterator[Stack]:
    """The whole assistant started as `make run` does, on free ports, until the block ends.

    `db_url` is the conversation store (a SQLite file in `work` when empty).
    """
    if not MODEL_PATH.exists():
        pytest.fail(f"Modèle absent ({MODEL_PATH}) : lancez « make model » avant les tests.")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    db_path = work / "conversations.db"
    db_url = db_url or f"sqlite:///{db_path}"
    ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "CONSOLE_PORT")}
    embed_origin = f"http://127.0.0.1:{free_port()}"
    token = "test-token-" + os.urandom(8).hex()
    kiosk_token = "test-kiosk-" + os.urandom(8).hex()
    env = dict(os.environ)
    env.update({name: str(port) for name, port in ports.items()})
    env.update(
        {
            "PASSERELLE_DB_URL": db_url,
            "RASA_TOKEN": token,
            "KIOSK_TOKEN": kiosk_token,
            "PYTHONPATH": str(ROOT),
            "WIDGET_RASA_URL": f"http://127.0.0.1:{ports['RASA_PORT']}",
            # Another site that embeds the widget (tests/web/test_widget_browser.py).
            "WIDGET_EMBED_ORIGINS": embed_origin,
        }
    )
    log_path = OUT_DIR / log_name
    # The supervisor's own wait (SUPERVISOR_STARTUP_SECONDS: longer on a busy machine).
    startup_s = load_settings(env).supervisor.startup_s
    rasa_url = f"http://127.0.0.1:{ports['RASA_PORT']}"
    action_url = f"http://127.0.0.1:{ports['ACTION_PORT']}"
    web_url = f"http://127.0.0.1:{ports['WEB_PORT']}"
    console_url = f"http://127.0.0.1:{ports['CONSOLE_PORT']}"
    urls = [f"{rasa_url}/", f"{action_url}/health"]
    if (ROOT / "web" / "__main__.py").exists():
        urls.append(f"{web_url}/health")
    if (ROOT / "console" / "__main__.py").exists():
        urls.append(f"{console_url}/health")
    try:
        with supervised(env, log_path, urls, startup_s + 30) as process:
            yield Stack(
                rasa_url=rasa_url,
                action_url=action_url,
                web_url=web_url,
                console_url=console_url,
                token=token,
                kiosk_token=kiosk_token,
                db_url=db_url,
                db_path=db_path,
                log_path=log_path,
                pid=process.pid,
                embed_origin=embed_origin,
            )
    except StartError as error:
        pytest.fail(str(error))
