"""Fixtures of the kiosk tests: a private CUPS server with a printer that writes a PDF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cups import PrivateCups, missing, private_cups


@pytest.fixture(scope="session")
def cups() -> Iterator[PrivateCups]:
    """Real CUPS (Debian's), started on a free port for these tests, stopped after."""
    problem = missing()
    if problem:
        pytest.fail(problem)
    with private_cups() as server:
        yield server
