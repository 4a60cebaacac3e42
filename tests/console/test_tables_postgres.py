"""The console on a fresh PostgreSQL server: it creates its database, as Rasa does."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from console.tables import make_engine

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def fresh_name():
    name = f"passerelle_fresh_{uuid.uuid4().hex[:10]}"
    yield name
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _exists(name: str) -> bool:
    admin = sa.create_engine(f"{PG_SERVER}/postgres")
    try:
        with admin.connect() as conn:
            query = sa.text("SELECT 1 FROM pg_database WHERE datname = :n")
            return conn.execute(query, {"n": name}).first() is not None
    finally:
        admin.dispose()


def test_the_console_creates_a_missing_database(fresh_name: str) -> None:
    assert not _exists(fresh_name)
    engine = make_engine(f"{PG_SERVER}/{fresh_name}?login_db=postgres")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == fresh_name
    engine.dispose()
    # A second start finds it and leaves it as it is.
    make_engine(f"{PG_SERVER}/{fresh_name}?login_db=postgres").dispose()
    assert _exists(fresh_name)


def test_a_quoted_database_name_is_refused() -> None:
    with pytest.raises(ValueError, match="refusé"):
        make_engine(f'{PG_SERVER}/bad"name?login_db=postgres')
