"""Command line: counsellor accounts from stdin, and the retention purge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from console import index
from console.cli import CLI_ACTOR
from console.retention import purge
from console.tables import conversations, counsellors, events, flags, notes
from passerelle.config import ROOT
from tests.console.conftest import Fixture

KEPT = {"web-aide-mdp", "web-perdu", "kiosque-fini", "kiosque-abandon", "rest-xss", "c2-encours"}


def cli(db_url: str, *args: str, stdin: str = "", tts_dir: str = "") -> subprocess.CompletedProcess:
    """Runs the command line; `tts_dir`: the speech cache it sees (never the real one)."""
    env = dict(os.environ, PASSERELLE_DB_URL=db_url, PYTHONPATH=str(ROOT))
    env["TTS_CACHE_DIR"] = tts_dir or str(ROOT / "tests" / "out" / "no-tts-cache")
    return subprocess.run(
        [sys.executable, "-m", "console.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def senders(engine: sa.engine.Engine, table: sa.Table) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(table.c.sender_id).distinct()).scalars())


def test_purge_removes_only_old_conversations(
    engine: sa.engine.Engine, fixture_store: Fixture
) -> None:
    index.refresh(engine)
    with engine.begin() as conn:
        for sender in ("vieux-1", "web-perdu"):
            conn.execute(flags.insert().values(sender_id=sender, counsellor="marie", at=1.0))
            conn.execute(
                notes.insert().values(sender_id=sender, counsellor="marie", at=1.0, text="x")
            )
    assert purge(engine, 90, CLI_ACTOR, now=fixture_store.now) == 2
    assert senders(engine, events) == KEPT
    assert senders(engine, conversations) == KEPT
    assert senders(engine, flags) == senders(engine, notes) == {"web-perdu"}
    assert purge(engine, 90, CLI_ACTOR, now=fixture_store.now) == 0
    assert purge(engine, 2, CLI_ACTOR, now=fixture_store.now) == 3
    assert senders(engine, events) == {"web-aide-mdp", "kiosque-fini", "c2-encours"}


def test_purge_command(
    engine: sa.engine.Engine, fixture_store: Fixture, db_url: str, tmp_path: Path
) -> None:
    cache = tmp_path / "tts-cache"
    cache.mkdir()
    for name in ("a.wav", "b.wav", ".c.wav.12.part"):
        (cache / name).write_bytes(b"RIFF")  # fresh sounds: the purge empties the cache anyway
    result = cli(db_url, "purge", "--days", "100", tts_dir=str(cache))
    assert result.returncode == 0, result.stderr
    assert "1 conversation(s) de plus de 100 jours supprimée(s)." in result.stdout
    assert "3 son(s) du cache de lecture supprimé(s)." in result.stdout
    assert list(cache.iterdir()) == []
    assert "vieux-1" not in senders(engine, events)
    assert "vieux-2" in senders(engine, events)
    refused = cli(db_url, "purge", "--days", "0")
    assert refused.returncode == 2 and "au moins 1" in refused.stderr


def test_add_counsellor_from_stdin(engine: sa.engine.Engine, db_url: str) -> None:
    result = cli(db_url, "add-counsellor", "Paul.Martin", stdin="un mot de passe solide\n")
    assert result.returncode == 0, result.stderr
    assert "Compte « paul.martin » créé." in result.stdout
    with engine.connect() as conn:
        stored = conn.execute(sa.select(counsellors.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and "solide" not in stored
    short = cli(db_url, "add-counsellor", "paul", stdin="court\n")
    assert short.returncode == 2
    assert "au moins 10 caractères" in short.stderr and "Traceback" not in short.stderr
    # The same URL Rasa gets, with its `login_db` option, works for the console too.
    listed = cli(db_url + "?login_db=postgres", "list-counsellors")
    assert listed.stdout.split() == ["paul.martin"]
