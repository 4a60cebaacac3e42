"""The console on a fresh PostgreSQL server: it creates its database, as Rasa does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console.tables import make_engine
from tests.support.machine_postgres import PG_SERVER, database_exists, fresh_database


@pytest.fixture
def fresh_name():
    with fresh_database("passerelle_fresh", create=False) as name:
        yield name


def test_the_console_creates_a_missing_database(fresh_name: str) -> None:
    assert not database_exists(fresh_name)
    engine = make_engine(f"{PG_SERVER}/{fresh_name}?login_db=postgres")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == fresh_name
    engine.dispose()
    # A second start finds it and leaves it as it is.
    make_engine(f"{PG_SERVER}/{fresh_name}?login_db=postgres").dispose()
    assert database_exists(fresh_name)


def test_a_quoted_database_name_is_refused() -> None:
    with pytest.raises(ValueError, match="refusé"):
        make_engine(f'{PG_SERVER}/bad"name?login_db=postgres')
