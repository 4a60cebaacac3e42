"""`make run` purges by itself: the running console's log shows its daily purge."""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import Stack

pytestmark = pytest.mark.stack
WAIT_SECONDS = 120.0
LINE = re.compile(
    r"Purge automatique : \d+ conversation\(s\) de plus de 90 jours et \d+ son\(s\) "
    r"expiré\(s\) supprimés\. Prochaine purge dans 24 heures\."
)


def test_the_running_console_purges_at_start_and_says_when_next(stack: Stack) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not LINE.search(stack.log_path.read_text(encoding="utf-8", errors="replace")):
        assert time.monotonic() < deadline, "no automatic purge in the console's log"
        time.sleep(0.5)
