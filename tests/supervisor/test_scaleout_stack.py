"""Scale-out under faults, end to end: `RASA_PROCESSES=2` as `make run` starts it.

One supervisor runs two Rasa processes behind nginx, the action server with two workers,
a private PostgreSQL (initdb, pg_ctl) and a private Redis, all on free ports. Then each
fault of issue 13 happens for real: an action server killed in the middle of an
actualisation, Redis down, PostgreSQL restarted, two messages of one person at the same
moment on the two processes, one Rasa process killed in the middle of a conversation.
Answers are read back through Rasa's tracker API (and, for duplicates, PostgreSQL itself).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import httpx
import pytest

from passerelle.config import MODEL_PATH, ROOT
from passerelle.domain import load_domain
from rasa_server.faults import APOLOGY_RESPONSE
from supervisor.run import is_healthy
from tests.support.private_services import (
    PrivatePostgres,
    PrivateRedis,
    free_port,
    missing_binaries,
)
from tests.support.processes import children_of
from tests.support.supervised import StartError, supervised
from tests.support.widget_client import Client

pytestmark = pytest.mark.stack

OUT_DIR = ROOT / "tests" / "out"
# Guards against a service that never comes back: no test asserts a duration.
STARTUP_S = 900
SAFETY_LIMIT_S = STARTUP_S
APOLOGY = load_domain()["responses"][APOLOGY_RESPONSE][0]["text"]


@dataclass
class Scaled:
    """The running scaled assistant."""

    url: str  # nginx
    backends: List[str]
    action_url: str
    web_url: str
    token: str
    pid: int
    log_path: Path
    postgres: PrivatePostgres
    redis: PrivateRedis

    @property
    def rasa_url(self) -> str:
        """What the widget's socket.io client connects to: nginx."""
        return self.url

    def say(self, sender: str, text: str, url: str = "") -> List[str]:
        response = httpx.post(
            f"{url or self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=120,
        )
        response.raise_for_status()
        return [message.get("text", "") for message in response.json()]

    def tracker(self, sender: str) -> dict:
        response = httpx.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def slots(self, sender: str) -> Dict[str, object]:
        return self.tracker(sender)["slots"]

    def user_texts(self, sender: str) -> List[str]:
        return [e["text"] for e in self.tracker(sender)["events"] if e["event"] == "user"]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def service_group(self, *parts: str) -> int:
        """The process group of the service whose command line holds all `parts`."""
        for pid, argv in children_of(self.pid).items():
            joined = " ".join(argv)
            if all(part in joined for part in parts) and os.getpgid(pid) == pid:
                return pid
        raise AssertionError(f"no service {parts}")

    def wait_for_log(self, text: str) -> None:
        """Until the operator's log holds `text` (the supervisor looks every half second)."""
        deadline = time.monotonic() + SAFETY_LIMIT_S
        while text not in self.log():
            assert time.monotonic() < deadline, f"never logged: {text}"
            time.sleep(0.5)

    def wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + SAFETY_LIMIT_S
        while not is_healthy(url):
            assert time.monotonic() < deadline, f"{url} did not come back"
            time.sleep(0.5)


def consecutive_free_ports(count: int) -> int:
    import socket

    while True:
        first = free_port()
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    missing = missing_binaries()
    if missing:
        pytest.fail(f"Programmes absents : {', '.join(missing)} (make system-deps).")
    if not MODEL_PATH.exists():
        pytest.fail(f"Modèle absent ({MODEL_PATH}) : lancez « make model » avant les tests.")
    work = tmp_path_factory.mktemp("scaled")
    postgres, redis = PrivatePostgres(), PrivateRedis()
    postgres.init()
    postgres.start()
    postgres.create_database()
    redis.start()
    ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "CONSOLE_PORT")}
    backend = consecutive_free_ports(2)
    token = "test-token-" + os.urandom(8).hex()
    env = dict(os.environ)
    env.update({name: str(port) for name, port in ports.items()})
    env.update(
        {
            "RASA_PROCESSES": "2",
            "RASA_BACKEND_PORT": str(backend),
            "ACTION_WORKERS": "2",
            "PASSERELLE_DB_URL": postgres.url,
            "PASSERELLE_REDIS_URL": redis.url,
            "PASSERELLE_RUN_DIR": str(work / "run"),
            "RASA_TOKEN": token,
            "KIOSK_TOKEN": "test-kiosk-" + os.urandom(8).hex(),
            "PYTHONPATH": str(ROOT),
            # A killed service comes back after 2 s: the message sent right after the kill
            # meets the service down.
            "SUPERVISOR_BACKOFF_SECONDS": "2",
            # Two Rasa processes load at once on a shared machine.
            "SUPERVISOR_STARTUP_SECONDS": str(STARTUP_S),
        }
    )
    log_path = OUT_DIR / "scaled-stack.log"
    url = f"http://127.0.0.1:{ports['RASA_PORT']}"
    backends = [f"http://127.0.0.1:{backend + i}" for i in range(2)]
    action_url = f"http://127.0.0.1:{ports['ACTION_PORT']}"
    urls = [f"{u}/" for u in [url, *backends]] + [f"{action_url}/health"]
    try:
        with supervised(env, log_path, urls, STARTUP_S + 60, stop_timeout_s=60) as process:
            yield Scaled(
                url=url,
                backends=backends,
                action_url=action_url,
                web_url=f"http://127.0.0.1:{ports['WEB_PORT']}",
                token=token,
                pid=process.pid,
                log_path=log_path,
                postgres=postgres,
                redis=redis,
            )
    except StartError as error:
        pytest.fail(str(error))
    finally:
        redis.kill()
        postgres.stop()


def new_sender(topic: str) -> str:
    return f"{topic}-{uuid.uuid4().hex[:8]}"


def start_actualisation(scaled: Scaled, sender: str) -> None:
    scaled.say(sender, "je veux m'actualiser")
    if scaled.slots(sender)["requested_slot"] == "rehearsal_ok":
        scaled.say(sender, "oui")
    assert scaled.slots(sender)["requested_slot"] == "worked"


def test_two_messages_at_once_on_two_processes_are_both_processed_in_order(scaled) -> None:
    sender = new_sender("ensemble")
    scaled.say(sender, "bonjour")
    pairs = [("comment me connecter", "c'est quand l'actualisation")] * 4
    for first, second in pairs:
        barrier = threading.Barrier(2)
        answers: Dict[str, List[str]] = {}

        def send(
            text: str, url: str, barrier: threading.Barrier = barrier, answers: dict = answers
        ) -> None:
            barrier.wait()
            answers[text] = scaled.say(sender, text, url)

        threads = [
            threading.Thread(target=send, args=(first, scaled.backends[0])),
            threading.Thread(target=send, args=(second, scaled.backends[1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers[first] and answers[second]
        assert APOLOGY not in answers[first] + answers[second]
    events = scaled.tracker(sender)["events"]
    texts = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(texts) == sorted(["bonjour"] + [t for pair in pairs for t in pair])  # none lost
    # In order: each message's answer is stored before the next message (no interleaving).
    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    for start, end in zip(users, users[1:] + [len(events)], strict=True):
        turn = events[start:end]
        assert any(e["event"] == "bot" for e in turn), turn
        assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen", turn


async def test_the_widget_talks_to_rasa_through_nginx(scaled) -> None:
    """socket.io (WebSocket upgrade) goes through nginx, to one process per address."""
    async with Client(scaled) as client:
        session = (await client.start())["session_id"]
        reply = await client.say(session, "j'ai oublié mon mot de passe")
        again = await client.say(session, "comment me connecter")
    assert reply["text"] and again["text"]
    assert APOLOGY not in (reply["text"], again["text"])
    said = await asyncio.to_thread(scaled.user_texts, session)
    assert said == ["j'ai oublié mon mot de passe", "comment me connecter"]


def test_action_server_killed_during_actualisation(scaled) -> None:
    sender = new_sender("actions")
    start_actualisation(scaled, sender)
    scaled.say(sender, "non")  # not worked
    assert scaled.slots(sender)["requested_slot"] == "internship"

    actions = [pid for pid, argv in children_of(scaled.pid).items() if "rasa_sdk" in argv]
    assert len(actions) == 3  # the Sanic main process and its ACTION_WORKERS=2 workers
    os.killpg(scaled.service_group("-m rasa_sdk"), signal.SIGKILL)
    during = scaled.say(sender, "non")
    assert APOLOGY in during  # not silence
    assert any("Avez-vous été en stage" in text for text in during)  # what to answer
    state = scaled.slots(sender)
    assert (state["worked"], state["internship"]) == (False, None)
    assert state["requested_slot"] == "internship"
    assert "Serveur d'actions injoignable" in scaled.log()

    scaled.wait_healthy(f"{scaled.action_url}/health")  # restarted by the supervisor
    after = scaled.say(sender, "non")
    assert APOLOGY not in after
    assert any("arrêt maladie" in text for text in after)  # the form goes on
    state = scaled.slots(sender)
    assert (state["worked"], state["internship"]) == (False, False)  # nothing lost
    scaled.wait_for_log("Redémarrage de actions.")


def test_redis_down_gets_an_apology_and_service_resumes(scaled) -> None:
    sender = new_sender("redis")
    assert APOLOGY not in scaled.say(sender, "bonjour")
    scaled.redis.kill()
    try:
        during = scaled.say(sender, "comment me connecter")
        assert during == [APOLOGY]
        assert "Magasin de verrous Redis injoignable" in scaled.log()
    finally:
        scaled.redis.start()
    after = scaled.say(sender, "comment me connecter")
    assert APOLOGY not in after
    assert any("Connexion Candidat" in text for text in after)
    assert scaled.user_texts(sender) == ["bonjour", "comment me connecter"]


def test_postgres_restart_loses_nothing_and_stores_nothing_twice(scaled) -> None:
    import psycopg2

    sender = new_sender("postgres")
    start_actualisation(scaled, sender)
    scaled.say(sender, "oui")
    scaled.postgres.restart()
    for text in ("trente-cinq heures", "mille deux cents euros", "non"):
        answer = scaled.say(sender, text)
        assert APOLOGY not in answer, text
    state = scaled.slots(sender)
    assert (state["worked"], state["hours_worked"], state["gross_salary"]) == (True, 35.0, 1200.0)
    assert state["internship"] is False
    texts = scaled.user_texts(sender)
    assert texts[-4:] == ["oui", "trente-cinq heures", "mille deux cents euros", "non"]
    with (
        psycopg2.connect(
            host="127.0.0.1", port=scaled.postgres.port, user="postgres", dbname="passerelle"
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT type_name, timestamp, data, count(*) FROM events WHERE sender_id = %s "
            "GROUP BY type_name, timestamp, data HAVING count(*) > 1",
            (sender,),
        )
        assert cursor.fetchall() == []  # none stored twice
        cursor.execute(
            "SELECT count(*) FROM events WHERE sender_id = %s AND type_name = 'user'", (sender,)
        )
        assert cursor.fetchone()[0] == len(texts)


def test_a_rasa_process_killed_mid_conversation_the_other_continues(scaled) -> None:
    sender = new_sender("processus")
    start_actualisation(scaled, sender)
    scaled.say(sender, "oui")
    scaled.say(sender, "trente-cinq heures")
    assert scaled.slots(sender)["requested_slot"] == "gross_salary"

    first = scaled.backends[0].rsplit(":", 1)[1]
    os.killpg(scaled.service_group("-m rasa_server", f"--port {first}"), signal.SIGKILL)
    # Through nginx, which leaves the dead process aside, then straight to the other one.
    assert APOLOGY not in scaled.say(sender, "mille deux cents euros")
    assert APOLOGY not in scaled.say(sender, "non", url=scaled.backends[1])
    state = scaled.slots(sender)
    assert (state["worked"], state["hours_worked"], state["gross_salary"]) == (True, 35.0, 1200.0)
    assert state["internship"] is False and state["requested_slot"] == "sick_leave"
    scaled.wait_for_log("Le service rasa-1 s'est arrêté (tué par le signal 9)")
