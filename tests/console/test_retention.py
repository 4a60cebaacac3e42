"""Retention: the console purges old conversations and expired sounds by itself, every day.

The privacy notice promises deletion after RETENTION_DAYS; `python -m console` runs the
purge at start and then every day (`purge_every`). Here the interval is a fraction of a
second, so two runs are seen in one test; the real stores (SQLite and PostgreSQL) are used.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from console.app import create_app
from console.retention import AUTOMATIC_ACTOR, PURGE_INTERVAL_SECONDS
from console.tables import audit, events
from passerelle.config import load_settings
from tests.console.conftest import DAY, Fixture, Talk, write

WAIT_SECONDS = 60.0


def senders(engine: sa.engine.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(events.c.sender_id).distinct()).scalars())


def wait_until(condition, what: str) -> None:
    """Polls `condition` (the purge runs in the app's own task): not a timing assertion."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting: {what}"
        time.sleep(0.05)


def test_the_daily_purge_is_one_day_apart() -> None:
    assert PURGE_INTERVAL_SECONDS == 24 * 3600


def test_the_console_purges_at_start_then_again_by_itself(
    engine: sa.engine.Engine,
    fixture_store: Fixture,
    db_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="console.retention")
    cache = tmp_path / "tts-cache"
    cache.mkdir()
    expired, fresh = cache / "expired.wav", cache / "fresh.wav"
    for path in (expired, fresh):
        path.write_bytes(b"RIFF")
    os.utime(expired, (time.time(), time.time() - 2 * 3600))
    cfg = load_settings(
        {
            "PASSERELLE_DB_URL": db_url,
            "PASSERELLE_SECRET_KEY": "test-secret",
            "RETENTION_DAYS": "90",
            "TTS_CACHE_DIR": str(cache),
        }
    )
    assert {"vieux-1", "vieux-2"} <= senders(engine)
    # The newest events are recent ones, as in a real store (SQLite reuses the ids of the
    # highest rows deleted, which the index would take for events it has already seen).
    write(engine, "web-recent", Talk(fixture_store.now - 60).user("bonjour", "greet").events)
    app = create_app(cfg, engine, purge_every=0.2)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        # First run, at start: the conversations older than 90 days and the expired sound.
        wait_until(lambda: not {"vieux-1", "vieux-2"} & senders(engine), "first purge")
        wait_until(lambda: not expired.exists(), "expired sound")
        assert fresh.exists()
        assert "web-perdu" in senders(engine)  # 3 days old: kept
        # A later run, with nobody asking: an old conversation arriving now goes too.
        write(
            engine, "vieux-3", Talk(fixture_store.now - 100 * DAY).user("bonjour", "greet").events
        )
        wait_until(lambda: "vieux-3" not in senders(engine), "second purge")
    lines = [r.getMessage() for r in caplog.records if r.name == "console.retention"]
    automatic = [line for line in lines if line.startswith("Purge automatique : ")]
    assert len(automatic) >= 2, lines
    assert automatic[0].startswith(
        "Purge automatique : 2 conversation(s) de plus de 90 jours et 1 son(s) expiré(s) supprimés."
    )
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.select(audit.c.counsellor, audit.c.action))]
    assert (AUTOMATIC_ACTOR, "purge : 2 conversations") in rows
    assert (AUTOMATIC_ACTOR, "purge : 1 conversations") in rows


def test_without_purge_every_the_app_purges_nothing(
    engine: sa.engine.Engine, fixture_store: Fixture, db_url: str
) -> None:
    cfg = load_settings({"PASSERELLE_DB_URL": db_url, "PASSERELLE_SECRET_KEY": "test-secret"})
    with TestClient(create_app(cfg, engine)) as client:
        assert client.get("/health").status_code == 200
    assert {"vieux-1", "vieux-2"} <= senders(engine)
