"""Fixtures of the tracker-store tests: a store URL on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from passerelle.config import ROOT

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(f"{PG_SERVER}/postgres")
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A fresh store: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conversations.db'}"
        return
    if not _postgres_available():
        pytest.fail("PostgreSQL ne répond pas sur 127.0.0.1:5432 (il doit tourner pour ce test).")
    name = f"passerelle_test_{uuid.uuid4().hex[:10]}"
    yield f"{PG_SERVER}/{name}?login_db=postgres"
    engine = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))
