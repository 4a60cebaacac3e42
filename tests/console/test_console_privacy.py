"""The console keeps no secret: typed login names are digests, notes are masked."""

from __future__ import annotations

import time

import sqlalchemy as sa
from starlette.testclient import TestClient

from console import auth
from console.app import create_app
from console.tables import audit, login_failures, notes
from passerelle.config import load_settings
from passerelle.privacy import MASK, mask_text
from tests.console.conftest import COUNSELLOR, csrf_of, login

# A password typed in the name field, then a wrong password for a real account.
TYPED_IN_NAME = "Soleil2024!secret"


def raw_rows(engine: sa.engine.Engine, table: sa.Table) -> str:
    with engine.connect() as conn:
        return repr(conn.execute(sa.select(table)).all()).lower()


def test_a_password_typed_as_a_name_is_never_stored(
    app_client: TestClient, engine: sa.engine.Engine
) -> None:
    assert login(app_client, TYPED_IN_NAME, "peu importe").status_code == 401
    assert login(app_client, COUNSELLOR, "pas le bon mot de passe").status_code == 401
    for table in (login_failures, audit):
        assert "soleil2024" not in raw_rows(engine, table)
    with engine.connect() as conn:
        keys = set(conn.execute(sa.select(login_failures.c.username)).scalars())
        who = [tuple(r) for r in conn.execute(sa.select(audit.c.counsellor, audit.c.action))]
    # Throttling rows hold keyed digests of the names, not the names.
    assert keys == {auth.failure_key(TYPED_IN_NAME), auth.failure_key(COUNSELLOR)}
    assert all(len(key) == 64 for key in keys)
    # The audit log names the real account, and an unknown name only by a short digest.
    unknown = f"nom inconnu ({auth.failure_key(TYPED_IN_NAME)[:8]})"
    assert (unknown, "connexion refusée") in who
    assert (COUNSELLOR, "connexion refusée") in who
    assert auth.audit_name(engine, TYPED_IN_NAME) == unknown
    assert auth.audit_name(engine, " Marie ") == COUNSELLOR


def test_throttling_still_counts_a_typed_name_under_its_digest(
    app_client: TestClient, engine: sa.engine.Engine
) -> None:
    for _ in range(auth.MAX_FAILURES):
        assert login(app_client, TYPED_IN_NAME, "non").status_code == 401
    assert login(app_client, TYPED_IN_NAME, "non").status_code == 429
    assert "soleil2024" not in raw_rows(engine, login_failures)


def test_names_kept_as_typed_by_an_older_version_are_replaced_at_start(
    engine: sa.engine.Engine, db_url: str
) -> None:
    with engine.begin() as conn:
        conn.execute(login_failures.insert().values(username="motdepasse99", ip="1.2.3.4", at=1.0))
        conn.execute(
            audit.insert().values(
                at=time.time(), counsellor="motdepasse99", action="connexion refusée"
            )
        )
        conn.execute(audit.insert().values(at=time.time(), counsellor="paul", action="ouverture"))
    cfg = load_settings({"PASSERELLE_DB_URL": db_url, "PASSERELLE_SECRET_KEY": "test-secret"})
    create_app(cfg, engine)
    assert "motdepasse99" not in raw_rows(engine, login_failures)
    assert "motdepasse99" not in raw_rows(engine, audit)
    with engine.connect() as conn:
        who = set(conn.execute(sa.select(audit.c.counsellor)).scalars())
    assert "paul" in who  # other lines of the audit log are left as they are
    assert any(name.startswith("nom inconnu (") for name in who)


def test_notes_are_masked_before_they_are_stored(
    logged_in: TestClient, engine: sa.engine.Engine
) -> None:
    page = logged_in.get("/conversation", params={"id": "web-perdu"})
    note = "Rappeler. Son identifiant est 1234567A, sa carte 4970 1012 3456 7890."
    response = logged_in.post(
        "/conversation/note",
        data={"id": "web-perdu", "csrf": csrf_of(page.text), "texte": note},
    )
    assert response.status_code == 303
    with engine.connect() as conn:
        [stored] = conn.execute(sa.select(notes.c.text)).scalars().all()
    # The conversations' masker itself (passerelle/privacy.py), whatever its exact output.
    assert stored == mask_text(note) and stored.startswith("Rappeler. Son identifiant est ")
    assert stored.count(MASK) == 2
    assert "1234567" not in raw_rows(engine, notes) and "4970" not in raw_rows(engine, notes)
    shown = logged_in.get("/conversation", params={"id": "web-perdu"}).text
    assert "Rappeler. Son identifiant est" in shown and "1234567A" not in shown
