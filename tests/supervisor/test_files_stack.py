"""What `make run` writes on disk is private: read from the running assistant and /proc.

The supervisor sets the umask to 077 before anything, so every process it starts (Rasa,
the actions, the widget, the console) creates private files; `var/` is 0700, the secret
files and the SQLite store 0600 (the store created before Rasa opens it), and the
conversations written by Rasa keep the file private.
"""

from __future__ import annotations

import pytest

from passerelle.config import KIOSK_TOKEN_FILE, RASA_TOKEN_FILE, SECRET_KEY_FILE, VAR_DIR
from tests.conftest import Stack
from tests.support.processes import children_of

pytestmark = pytest.mark.stack
PRIVATE_UMASK = "0077"


def mode(path) -> int:
    return path.stat().st_mode & 0o777


def umask_of(pid: int) -> str:
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("Umask:"):
                return line.split()[1]
    raise AssertionError(f"no Umask line for {pid}")


def test_every_process_creates_private_files(stack: Stack) -> None:
    processes = children_of(stack.pid)
    assert len(processes) >= 4
    assert umask_of(stack.pid) == PRIVATE_UMASK
    for pid, argv in processes.items():
        try:
            assert umask_of(pid) == PRIVATE_UMASK, argv
        except FileNotFoundError:
            continue  # a short-lived helper process already gone


def test_the_store_var_and_the_secret_files_are_private(stack: Stack) -> None:
    # A conversation is written, so the store holds something worth hiding.
    stack.say("test-modes", "bonjour")
    assert mode(stack.db_path) == 0o600
    for suffix in ("-journal", "-wal", "-shm"):
        companion = stack.db_path.with_name(stack.db_path.name + suffix)
        if companion.exists():
            assert mode(companion) == 0o600, companion
    assert mode(VAR_DIR) == 0o700
    for path in (SECRET_KEY_FILE, KIOSK_TOKEN_FILE, RASA_TOKEN_FILE):
        if path.exists():
            assert mode(path) == 0o600, path
    cache = VAR_DIR / "tts-cache"
    if cache.exists():
        assert mode(cache) == 0o700
        assert [p.name for p in cache.iterdir() if mode(p) != 0o600] == []
