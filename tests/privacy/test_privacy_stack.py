"""End to end: no secret of the privacy corpus reaches the store, on SQLite and PostgreSQL.

Every case of `privacy_corpus.yml` is sent to the running assistant three ways: typed
through REST, typed through the widget's socket.io channel, and through the kiosk's path
(what it heard turned into digits by the kiosk's own `to_message`, then its REST
channel). The raw rows of the store are then read back: no secret fragment may be in
them, as written, folded, or by its digits. The ordinary corpus goes the same ways
and must be stored exactly as sent. One server per store, many conversations at once.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import httpx
import pytest
import sqlalchemy as sa

from passerelle.names import KIOSK_SENDER_PREFIX, LISTEN_ACTION
from tests.conftest import OUT_DIR, Stack, running_stack
from tests.support.machine_postgres import PG_SERVER, fresh_database
from tests.support.privacy_corpus import (
    event_strings,
    kiosk_message,
    leaks,
    load_ordinary_cases,
    load_secret_cases,
    over_masked,
)
from tests.support.widget_client import Client

pytestmark = pytest.mark.stack

KIOSK_WEBHOOK = "/webhooks/kiosk/webhook"
REST_WEBHOOK = "/webhooks/rest/webhook"
CONCURRENT_CONVERSATIONS = 8
REQUEST_TIMEOUT_S = 120
STORE_WAIT_S = 120  # how long the last turns may take to be saved after the last reply
STARTUP_ATTEMPTS = 2
SOCKET_QUIET_S = 1.5  # a widget turn is over when its socket stays this long silent
SECRET_CASES = load_secret_cases()
ORDINARY_CASES = load_ordinary_cases()
PATHS = ("rest", "socketio", "kiosk")
# Ordinary messages: typed (REST, the same Rasa channel code as the widget's for storing)
# and through the kiosk's path, where number words become digits.
ORDINARY_PATHS = ("rest", "kiosk")


@contextmanager
def _started(work: Path, db_url: str, log_name: str) -> Iterator[Stack]:
    """The assistant on `db_url`, started again once if it did not start in time.

    On a shared 2-core machine, Rasa sometimes needs longer than the supervisor's start-up
    delay; a second failure fails the test.
    """
    for attempt in range(STARTUP_ATTEMPTS):
        attempt_dir = work / f"attempt-{attempt}"
        attempt_dir.mkdir(exist_ok=True)
        try:
            context = running_stack(attempt_dir, db_url, log_name=log_name)
            stack = context.__enter__()
        except pytest.fail.Exception:
            if attempt + 1 == STARTUP_ATTEMPTS:
                raise
            continue
        try:
            yield stack
        finally:
            context.__exit__(None, None, None)
        return


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The running assistant writing to a SQLite file or to the real PostgreSQL."""
    work = tmp_path_factory.mktemp(f"privacy-{request.param}")
    if request.param == "sqlite":
        with _started(work, "", "privacy-sqlite.log") as stack:
            yield stack
        return
    # The console opens the store as it starts: the database must exist before Rasa runs.
    with fresh_database("passerelle_privacy") as name:
        with _started(work, f"{PG_SERVER}/{name}", "privacy-postgresql.log") as stack:
            yield stack


@dataclass
class Run:
    """What was sent: for each path and case, the conversation id and the messages."""

    senders: Dict[Tuple[str, str], str] = field(default_factory=dict)
    sent: Dict[Tuple[str, str], List[str]] = field(default_factory=dict)
    rows: Dict[str, List[str]] = field(default_factory=lambda: defaultdict(list))


async def _rest(
    client: httpx.AsyncClient, url: str, sender: str, messages: List[str], headers: dict
) -> None:
    for message in messages:
        response = await client.post(
            url, json={"sender": sender, "message": message}, headers=headers
        )
        response.raise_for_status()


async def _socketio(stack: Stack, messages: List[str]) -> str:
    """One widget conversation; the socket stays open until the bot has said everything.

    The widget's channel answers a session only on its own socket: closed too early, it
    would drop the last message.
    """
    async with Client(stack) as client:
        session = (await client.start())["session_id"]
        for message in messages:
            await client.say(session, message)
            await client.silent(SOCKET_QUIET_S)
    return session


async def _send_all(stack: Stack, conversations: List[Tuple[str, str, List[str]]]) -> Run:
    """Sends every (path, case id, messages) conversation, a few at a time."""
    run = Run()
    limit = asyncio.Semaphore(CONCURRENT_CONVERSATIONS)
    tag = uuid.uuid4().hex[:6]
    kiosk_headers = {"Authorization": f"Bearer {stack.kiosk_token}"}

    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:

        async def one(path: str, case_id: str, messages: List[str]) -> None:
            async with limit:
                if path == "rest":
                    sender = f"privacy-{tag}-{case_id}"
                    await _rest(client, stack.rasa_url + REST_WEBHOOK, sender, messages, {})
                elif path == "kiosk":
                    sender = f"{KIOSK_SENDER_PREFIX}{tag}-{case_id}"
                    messages = [kiosk_message(m) for m in messages]
                    url = stack.rasa_url + KIOSK_WEBHOOK
                    await _rest(client, url, sender, messages, kiosk_headers)
                else:
                    sender = await _socketio(stack, messages)
                run.senders[(path, case_id)] = sender
                run.sent[(path, case_id)] = messages

        await asyncio.gather(*(one(*conversation) for conversation in conversations))
    return run


def _read_rows(stack: Stack, run: Run) -> None:
    """The raw `data` column of every event of the run's conversations, once all are stored.

    A socket.io reply comes before Rasa has saved the turn: the rows are read again until
    every conversation has all its messages and ends listening.
    """
    engine = sa.create_engine(stack.db_url.split("?")[0])
    senders = sorted(set(run.senders.values()))
    expected = {run.senders[key]: len(messages) for key, messages in run.sent.items()}
    deadline = time.monotonic() + STORE_WAIT_S
    try:
        while True:
            run.rows.clear()
            with engine.connect() as connection:
                for start in range(0, len(senders), 500):
                    rows = connection.execute(
                        sa.text(
                            "SELECT sender_id, data FROM events WHERE sender_id IN :senders"
                            " ORDER BY id"
                        ).bindparams(sa.bindparam("senders", expanding=True)),
                        {"senders": senders[start : start + 500]},
                    ).fetchall()
                    for row in rows:
                        run.rows[row.sender_id].append(row.data)
            unfinished = [
                sender
                for sender, count in expected.items()
                if len(_user_texts(run.rows[sender])) < count
                or json.loads(run.rows[sender][-1]).get("name") != LISTEN_ACTION
            ]
            if not unfinished or time.monotonic() > deadline:
                return
            time.sleep(1)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def corpus_run(store_stack: Stack) -> Run:
    conversations = [(path, case.id, case.messages) for case in SECRET_CASES for path in PATHS] + [
        (path, case.id, [case.text]) for case in ORDINARY_CASES for path in ORDINARY_PATHS
    ]
    run = asyncio.run(_send_all(store_stack, conversations))
    _read_rows(store_stack, run)
    return run


def _report(name: str, found: Dict[str, Any]) -> None:
    """What a failure found, in full, for whoever fixes the rule (tests/out/)."""
    if found:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        path = OUT_DIR / f"{name}.json"
        path.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")


def _user_texts(rows: List[str]) -> List[str]:
    return [data["text"] for data in map(json.loads, rows) if data.get("event") == "user"]


@pytest.mark.parametrize("path", PATHS)
def test_no_secret_of_the_corpus_is_stored(corpus_run: Run, path: str) -> None:
    assert len(SECRET_CASES) >= 250
    found, missing = {}, []
    for case in SECRET_CASES:
        rows = corpus_run.rows[corpus_run.senders[(path, case.id)]]
        if len(_user_texts(rows)) != len(case.messages):
            missing.append(case.id)  # a message never stored proves nothing
        leaked = leaks(case, event_strings(rows))
        if leaked:
            found[case.id] = (corpus_run.sent[(path, case.id)], _user_texts(rows), leaked)
    _report(f"privacy-leaks-{path}", found)
    assert found == {}
    assert missing == []


@pytest.mark.parametrize("path", ORDINARY_PATHS)
def test_ordinary_messages_are_stored_as_written(corpus_run: Run, path: str) -> None:
    assert len(ORDINARY_CASES) >= 150
    changed = {}
    for case in ORDINARY_CASES:
        rows = corpus_run.rows[corpus_run.senders[(path, case.id)]]
        sent = corpus_run.sent[(path, case.id)][0]
        stored = _user_texts(rows)
        if len(stored) != 1 or over_masked(case, stored[0], sent):
            changed[case.id] = (sent, stored)
    _report(f"privacy-over-masked-{path}", changed)
    assert changed == {}


def test_a_two_message_case_is_masked_whole_after_an_announcement(
    corpus_run: Run, store_stack: Any
) -> None:
    """The conversation memory at work: the second message alone is stored masked."""
    two = [case for case in SECRET_CASES if len(case.messages) == 2]
    assert len(two) >= 20
    for case in two:
        rows = corpus_run.rows[corpus_run.senders[("rest", case.id)]]
        assert "[masqué]" in _user_texts(rows)[1], case.id
