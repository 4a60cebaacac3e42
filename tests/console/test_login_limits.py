"""Console login limits with real argon2, on SQLite and PostgreSQL: per name and address, per
account across addresses, for the whole console, atomic under races, and a bounded number of
password checks at once. The audit log also records searches and command-line changes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from console import auth
from console.auth import LoginResult, attempt_login
from console.tables import audit, counsellors
from tests.console.conftest import COUNSELLOR, PASSWORD, Fixture, password_hash
from tests.console.test_cli import cli

WRONG = "mauvais mot de passe"


@pytest.fixture
def account(engine: sa.engine.Engine) -> str:
    with engine.begin() as conn:
        conn.execute(
            counsellors.insert().values(
                name=COUNSELLOR, password_hash=password_hash(), created_at=time.time()
            )
        )
    return COUNSELLOR


class CountingHasher(PasswordHasher):
    """Real argon2, counting how many verifications run at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.calls = 0

    def verify(self, hash: Any, password: Any) -> bool:  # noqa: A002 - argon2's own name
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    counting = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", counting)
    yield counting


def test_rotating_addresses_do_not_escape_the_account_limit(
    engine: sa.engine.Engine, account: str
) -> None:
    now = time.time()
    results = [
        attempt_login(engine, account, WRONG, f"10.0.0.{n}", now + n).result
        for n in range(auth.MAX_ACCOUNT_FAILURES + 2)
    ]
    assert results[: auth.MAX_ACCOUNT_FAILURES] == [LoginResult.WRONG] * auth.MAX_ACCOUNT_FAILURES
    assert results[auth.MAX_ACCOUNT_FAILURES :] == [LoginResult.THROTTLED] * 2
    # Even the right password waits: the account is locked for everyone for a while.
    late = attempt_login(engine, account, PASSWORD, "10.9.9.9", now + 20)
    assert late.result is LoginResult.THROTTLED and late.wait_minutes == 15
    # Once the window has passed, the right password opens again.
    later = now + auth.FAILURE_WINDOW_SECONDS + 60
    assert attempt_login(engine, account, PASSWORD, "10.9.9.9", later).result is LoginResult.OK


def test_the_whole_console_has_a_limit(engine: sa.engine.Engine) -> None:
    now = time.time()
    results = [
        attempt_login(engine, f"inconnu-{n}", WRONG, f"10.1.{n // 250}.{n % 250}", now).result
        for n in range(auth.MAX_GLOBAL_ATTEMPTS + 1)
    ]
    assert results[:-1] == [LoginResult.WRONG] * auth.MAX_GLOBAL_ATTEMPTS
    assert results[-1] is LoginResult.THROTTLED
    later = now + auth.GLOBAL_WINDOW_SECONDS + 1
    assert attempt_login(engine, "inconnu-x", WRONG, "10.2.0.1", later).result is LoginResult.WRONG


def test_check_and_record_are_atomic_under_a_race(
    engine: sa.engine.Engine, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Enough password checks at once that the race is only on the limits.
    monkeypatch.setattr(auth, "_checks", threading.BoundedSemaphore(32))
    monkeypatch.setattr(auth, "CHECK_WAIT_SECONDS", 60.0)
    barrier = threading.Barrier(16)

    def attempt(_: int) -> LoginResult:
        barrier.wait()
        return attempt_login(engine, account, WRONG, "10.3.0.1").result

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(attempt, range(16)))
    assert results.count(LoginResult.WRONG) == auth.MAX_FAILURES, results
    assert results.count(LoginResult.THROTTLED) == 16 - auth.MAX_FAILURES


def _attempt_in_another_process(db_url: str, start_at: float) -> str:
    engine = sa.create_engine(db_url, future=True)
    time.sleep(max(0.0, start_at - time.time()))
    try:
        return attempt_login(engine, COUNSELLOR, WRONG, "10.5.0.1").result.value
    finally:
        engine.dispose()


def test_check_and_record_are_atomic_across_processes(
    engine: sa.engine.Engine, account: str, db_url: str
) -> None:
    """Several console processes (or machines) on one store cannot pass the limit either."""
    engine.dispose()  # nothing shared with the forked processes
    start_at = time.time() + 3.0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(12, mp_context=context) as pool:
        futures = [pool.submit(_attempt_in_another_process, db_url, start_at) for _ in range(12)]
        results = [future.result() for future in futures]
    # Never more than the limit. Attempts racing from several processes may even all be
    # refused (each counts the others' rows): that only slows a guesser down.
    checked = results.count(LoginResult.WRONG.value)
    assert checked <= auth.MAX_FAILURES, results
    assert results.count(LoginResult.THROTTLED.value) == 12 - checked
    # The refused ones left nothing behind: the limit goes on counting from `checked`.
    after = [attempt_login(engine, account, WRONG, "10.5.0.1").result for _ in range(6)]
    left = auth.MAX_FAILURES - checked
    assert after == [LoginResult.WRONG] * left + [LoginResult.THROTTLED] * (6 - left)


def test_fifty_parallel_logins_never_run_more_than_n_password_checks(
    engine: sa.engine.Engine, account: str, hasher: CountingHasher
) -> None:
    barrier = threading.Barrier(50)

    def attempt(n: int) -> LoginResult:
        barrier.wait()
        return attempt_login(engine, f"inconnu-{n}", WRONG, f"10.4.0.{n}").result

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(attempt, range(50)))
    print(
        f"\nN = {auth.MAX_CONCURRENT_CHECKS} password checks at once; 50 parallel attempts: "
        f"peak {hasher.peak} running, {hasher.calls} checked, "
        f"{results.count(LoginResult.BUSY)} told to retry (503)"
    )
    assert 1 <= hasher.peak <= auth.MAX_CONCURRENT_CHECKS
    assert set(results) <= {LoginResult.WRONG, LoginResult.BUSY}
    assert results.count(LoginResult.WRONG) == hasher.calls
    # Attempts told to retry left no failure behind, and the right password still works.
    assert attempt_login(engine, account, PASSWORD, "10.4.1.1").result is LoginResult.OK


def test_busy_answer_is_a_french_503(
    app_client: Any, fixture_store: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.console.conftest import login

    monkeypatch.setattr(auth, "_checks", threading.BoundedSemaphore(1))
    monkeypatch.setattr(auth, "CHECK_WAIT_SECONDS", 0.05)
    auth._checks.acquire()  # one check "running" for the whole test
    try:
        response = login(app_client)
    finally:
        auth._checks.release()
    assert response.status_code == 503
    assert "Trop de connexions à la fois. Réessayez dans un instant." in response.text
    assert login(app_client).status_code == 303


def test_searches_are_audited_without_their_words(
    app_client: Any, fixture_store: Fixture, engine: sa.engine.Engine
) -> None:
    from tests.console.conftest import login

    assert login(app_client).status_code == 303
    assert app_client.get("/", params={"q": "identifiant"}).status_code == 200
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit.c.counsellor, audit.c.action)).all()
    assert (COUNSELLOR, "recherche") in [tuple(row) for row in rows]
    assert "identifiant" not in repr(rows)


def test_command_line_account_changes_and_purges_are_audited(
    engine: sa.engine.Engine, fixture_store: Fixture, db_url: str
) -> None:
    for args in (
        ("add-counsellor", "paul"),
        ("add-counsellor", "paul"),
        ("remove-counsellor", "paul"),
    ):
        result = cli(db_url, *args, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    assert cli(db_url, "purge", "--days", "100").returncode == 0
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.select(audit.c.counsellor, audit.c.action))]
    assert ("paul", "compte créé (ligne de commande)") in rows
    assert ("paul", "mot de passe changé (ligne de commande)") in rows
    assert ("paul", "compte supprimé (ligne de commande)") in rows
    assert ("ligne de commande", "purge : 1 conversations") in rows
