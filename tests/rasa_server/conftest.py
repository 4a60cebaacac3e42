"""Fixtures of the tracker-store tests: a store URL on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from typing import Iterator

import pytest
from rasa.shared.core.domain import Domain

from passerelle.config import ROOT
from tests.support.machine_postgres import PG_SERVER, fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A fresh store: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conversations.db'}"
        return
    with fresh_database(create=False) as name:
        yield f"{PG_SERVER}/{name}?login_db=postgres"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))
