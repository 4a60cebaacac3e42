"""The machine's PostgreSQL (127.0.0.1:5432, trust auth), for tests that need a real one.

Each test gets its own database, created and dropped here: the server itself is shared
with other work, so a test never touches another database. (Tests that stop or restart a
server use `private_services.PrivatePostgres` instead.)
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
import sqlalchemy as sa

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
NOT_RUNNING = "PostgreSQL ne répond pas sur 127.0.0.1:5432 (il doit tourner pour ce test)."


def _admin(**options: object) -> sa.engine.Engine:
    return sa.create_engine(f"{PG_SERVER}/postgres", **options)


def require_postgres() -> None:
    """Fails the test, in French, when the machine's PostgreSQL does not answer."""
    engine = _admin()
    try:
        with engine.connect():
            return
    except sa.exc.OperationalError:
        pytest.fail(NOT_RUNNING)
    finally:
        engine.dispose()


def new_name(prefix: str = "passerelle_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _run_outside_a_transaction(statement: str) -> None:
    engine = _admin(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def create_database(name: str) -> None:
    _run_outside_a_transaction(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    """Drops `name` if it exists, whoever is still connected to it."""
    _run_outside_a_transaction(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_exists(name: str) -> bool:
    engine = _admin()
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT 1 FROM pg_database WHERE datname = :n")
            return connection.execute(query, {"n": name}).first() is not None
    finally:
        engine.dispose()


@contextmanager
def fresh_database(prefix: str = "passerelle_test", create: bool = True) -> Iterator[str]:
    """The name of a new database (created unless `create` is false), dropped afterwards."""
    require_postgres()
    name = new_name(prefix)
    if create:
        create_database(name)
    try:
        yield name
    finally:
        drop_database(name)


__all__ = [
    "NOT_RUNNING",
    "PG_SERVER",
    "create_database",
    "database_exists",
    "drop_database",
    "fresh_database",
    "new_name",
    "require_postgres",
]
